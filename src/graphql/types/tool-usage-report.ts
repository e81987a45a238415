import { GraphQLError } from 'graphql';
import { TOOL_DIMENSIONS, TOOL_ORDER_FIELDS } from '../../domain/tools/query.ts';
import { type ToolUsageParts, type ToolUsageReport, toolUsageReport } from '../../domain/tools/report.ts';
import { UsageInputError, UsageTooLargeError } from '../../domain/usage/errors.ts';
import { USAGE_LIMITS } from '../../domain/usage/query.ts';
import { priceBook } from '../../prices/book.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { selectedNames } from '../selection.ts';
import { InterceptionFilterInput, toFilter } from './interception-filter.ts';
import { ToolUsageFiguresRef } from './tool-usage-figures.ts';
import { ToolUsageGroupRef } from './tool-usage-group.ts';
import { OrderDirectionEnum, TimeBucketEnum, USAGE_COMPLEXITY } from './usage.ts';

const DESCRIPTIONS: Record<(typeof TOOL_DIMENSIONS)[number], string> = {
  SERVER: 'MCP server URL of the tool; tools the client defined (no server URL) are one group, the empty string.',
  TOOL: 'Tool name.',
  INJECTED: 'Whether AI Bridge injected the tool (MCP) or the client defined it.',
  MODEL: 'Model of the interception that made the call.',
  INITIATOR: 'The user whose request made the call.',
  CLIENT: 'Client of that request; no client and `Unknown` are one key.',
};

const ToolDimensionEnum = builder.enumType('ToolDimension', {
  description: 'A dimension tool calls can be grouped by.',
  values: Object.fromEntries(TOOL_DIMENSIONS.map((d) => [d, { description: DESCRIPTIONS[d] }])) as Record<(typeof TOOL_DIMENSIONS)[number], { description: string }>,
});

const ToolUsageOrderFieldEnum = builder.enumType('ToolUsageOrderField', {
  description: 'What tool groups are ordered by; ties go by bucket, then by key. ERROR_RATE compares exactly; groups without calls come last.',
  values: TOOL_ORDER_FIELDS,
});

const ToolUsageOrderInput = builder.inputType('ToolUsageOrder', {
  fields: (t) => ({
    field: t.field({ type: ToolUsageOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'DESC' }),
  }),
});

const ToolUsageReportRef = builder.objectRef<ToolUsageReport>('ToolUsageReport');

ToolUsageReportRef.implement({
  description: 'Tool calls of the interceptions matching a filter: totals over all of them, and figures per group.',
  fields: (t) => ({
    totals: t.field({
      type: ToolUsageFiguresRef,
      description: 'Over every matching tool call (not only the `first` groups); each interception counted once.',
      // Computed whenever selected (see partsOf).
      resolve: (r) => r.totals!,
    }),
    groups: t.expose('groups', {
      type: [ToolUsageGroupRef],
      description: 'One entry per group; with a bucket and both filter bounds, every bucket of the range is present (zero figures where empty). Empty without groupBy and bucket.',
    }),
  }),
});

builder.queryFields((t) => ({
  toolUsage: t.field({
    type: ToolUsageReportRef,
    description:
      'Tool and MCP server analytics over the tool calls of the interceptions the caller may see (a member: only their own): '
      + 'calls, invocation errors, injected share, and the tokens and cost of the requests that made the calls, grouped by dimensions '
      + 'and/or a time bucket of the interception\'s start. '
      + `At most ${USAGE_LIMITS.buckets} buckets per range and ${USAGE_LIMITS.groups} groups (QUERY_TOO_COMPLEX beyond).`,
    args: {
      filter: t.arg({ type: InterceptionFilterInput, required: false, description: 'Which interceptions\' tool calls count.' }),
      groupBy: t.arg({ type: [ToolDimensionEnum], required: false }),
      bucket: t.arg({ type: TimeBucketEnum, required: false }),
      timeZone: t.arg.string({ defaultValue: 'UTC', description: 'IANA time zone the buckets are cut in.' }),
      orderBy: t.arg({ type: ToolUsageOrderInput, required: false, description: 'Default: by bucket, then key.' }),
      first: t.arg.int({ required: false, description: 'Only the first N groups in order (top N).' }),
    },
    // Reads every matching tool call, as a usage field reads every interception: charged the same.
    complexity: USAGE_COMPLEXITY,
    resolve: async (_root, args, ctx, info) => {
      const filter = await toFilter(ctx, args.filter);
      try {
        return await toolUsageReport(ctx.db, ctx.viewer, priceBook(ctx.prisma, ctx), {
          filter,
          groupBy: args.groupBy ?? [],
          bucket: args.bucket ?? undefined,
          timeZone: args.timeZone ?? 'UTC',
          orderBy: args.orderBy ? { field: args.orderBy.field, direction: args.orderBy.direction ?? 'DESC' } : undefined,
          first: args.first ?? undefined,
        }, partsOf(info));
      } catch (err) {
        if (err instanceof UsageInputError) throw badInput(err.message, err.argument);
        if (err instanceof UsageTooLargeError) {
          throw new GraphQLError(err.message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit: err.limit, value: err.value, max: err.max } });
        }
        throw err;
      }
    },
  }),
}));

const USAGE_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'cost'];

/** What the selection needs computed: distinct sessions and the token usages cost at scale. */
function partsOf(info: Parameters<typeof selectedNames>[0]): ToolUsageParts {
  const { top, all } = selectedNames(info);
  return {
    totals: top.has('totals'),
    groups: top.has('groups'),
    sessions: all.has('sessions'),
    usages: USAGE_FIELDS.some((f) => all.has(f)),
    unpriced: all.has('unpricedRequests'),
  };
}
