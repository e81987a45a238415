import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import type { InterceptionFilter } from '../domain/interception-filter.ts';
import { TIME_BUCKETS, USAGE_DIMENSIONS, type TimeBucket, type UsageDimension } from '../domain/usage/query.ts';
import { chooseFormat, type ExportFormat } from '../export/format.ts';
import { INTERCEPTION_SEARCH, INTERCEPTION_SEARCH_ERROR } from './interceptions.ts';
import { QueryReader, readSearch } from './query.ts';
import { SESSION_SEARCH, SESSION_SEARCH_ERROR } from './sessions.ts';

export const EXPORT_KINDS = ['interceptions', 'sessions', 'usage'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** An export's parameters, read and checked before anything is written. */
export interface ExportParams {
  kind: ExportKind;
  format: ExportFormat;
  filter: InterceptionFilter;
  /** Usage only: GraphQL `usage`'s choices. */
  groupBy: UsageDimension[];
  bucket?: TimeBucket;
  timeZone: string;
}

/**
 * Reads `format` (or Accept), `q` (exactly as the kind's list endpoint: usage as /interceptions)
 * and, for usage, `group_by` (comma-separated dimensions), `bucket` and `time_zone`. Throws
 * Coder's 400 (HttpError) with every invalid parameter. The CLI passes its options through here
 * too, so both answer alike.
 */
export async function readExportParams(ctx: { db: Queryable; viewer: Viewer }, kind: ExportKind, url: URL, accept: string | null): Promise<ExportParams> {
  const r = new QueryReader(url);
  const formatParam = r.string('format');
  const q = r.string('q') ?? '';
  const groupByText = kind === 'usage' ? r.string('group_by') : undefined;
  const bucketText = kind === 'usage' ? r.string('bucket') : undefined;
  const timeZone = (kind === 'usage' ? r.string('time_zone') : undefined) ?? 'UTC';
  const groupBy: UsageDimension[] = [];
  for (const word of groupByText?.split(',').map((s) => s.trim().toUpperCase()) ?? []) {
    if ((USAGE_DIMENSIONS as readonly string[]).includes(word)) groupBy.push(word as UsageDimension);
    else r.errors.push({ field: 'group_by', detail: `Query param "group_by" takes a comma-separated list of ${USAGE_DIMENSIONS.map((d) => d.toLowerCase()).join(', ')}; got ${JSON.stringify(word.toLowerCase())}.` });
  }
  const bucket = bucketText?.toUpperCase();
  if (bucket !== undefined && !(TIME_BUCKETS as readonly string[]).includes(bucket)) {
    r.errors.push({ field: 'bucket', detail: `Query param "bucket" must be one of ${TIME_BUCKETS.map((b) => b.toLowerCase()).join(', ')}.` });
  }
  r.check();
  const format = chooseFormat(formatParam, accept);
  const filter =
    kind === 'sessions'
      ? await readSearch(ctx, q, SESSION_SEARCH, SESSION_SEARCH_ERROR)
      : await readSearch(ctx, q, INTERCEPTION_SEARCH, kind === 'usage' ? 'Invalid usage search query.' : INTERCEPTION_SEARCH_ERROR);
  return { kind, format, filter, groupBy, bucket: bucket as TimeBucket | undefined, timeZone };
}
