import type { InterceptionFilter } from '../interception-filter.ts';
import type { TimeBucket } from '../usage/query.ts';

/** What tool calls can be grouped by: three properties of the call, three of the interception that made it. */
export const TOOL_DIMENSIONS = ['SERVER', 'TOOL', 'INJECTED', 'MODEL', 'INITIATOR', 'CLIENT'] as const;
export type ToolDimension = (typeof TOOL_DIMENSIONS)[number];

export const TOOL_ORDER_FIELDS = [
  'BUCKET', 'CALLS', 'REQUESTS', 'SESSIONS', 'INVOCATION_ERRORS', 'ERROR_RATE', 'INJECTED_CALLS',
  'INPUT_TOKENS', 'OUTPUT_TOKENS', 'TOTAL_TOKENS', 'COST',
] as const;
export type ToolOrderField = (typeof TOOL_ORDER_FIELDS)[number];

export interface ToolUsageQuery {
  /** Selects the interceptions whose tool calls count (visibility applies on top). */
  filter: InterceptionFilter;
  groupBy: ToolDimension[];
  /** Cut by the interception's start, as the filter's bounds are. */
  bucket?: TimeBucket;
  /** IANA zone the buckets are cut in. */
  timeZone: string;
  orderBy?: { field: ToolOrderField; direction: 'ASC' | 'DESC' };
  first?: number;
}
