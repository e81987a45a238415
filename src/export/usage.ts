import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { usageReport, type UsageFigures, type UsageGroup, type UsageKey } from '../domain/usage/report.ts';
import { ZERO_COST } from '../domain/usage/cost.ts';
import type { PriceBook } from '../domain/usage/priced-usages.ts';
import type { UsageQuery } from '../domain/usage/query.ts';
import { userMapFor, type UserRow } from '../domain/users.ts';
import { rfc3339OrNull } from '../domain/values.ts';
import { encodeCoderJson, JsonInt } from '../rest/encode.ts';
import { csvHeader, csvRow, type CsvColumn } from './csv.ts';
import type { ExportFormat } from './format.ts';
import { EXPORT_BATCH, type ExportHooks } from './run.ts';
import { type ExportSink, writeLines } from './stream.ts';

/**
 * The usage export: GraphQL `usage`'s groups (src/domain/usage, unchanged) as rows, one per
 * group (key columns empty where not grouped by them; without group_by and bucket, one row of
 * totals). The report is bounded (USAGE_LIMITS.groups), computed in one snapshot before the
 * first byte, so a bad time zone or too many groups is still a 400.
 */

interface UsageLine extends UsageKey {
  username: string | null;
  figures: UsageFigures;
}

/** The row as JSON (snake_case; 64-bit counts as numbers, money as exact decimal strings). */
export function usageJson(r: UsageLine) {
  const f = r.figures;
  return {
    bucket_start: rfc3339OrNull(r.bucketStart),
    bucket_end: rfc3339OrNull(r.bucketEnd),
    initiator_id: r.initiatorId,
    initiator_username: r.username,
    model: r.model,
    provider: r.provider,
    provider_name: r.providerName,
    client: r.client,
    credential_kind: r.credentialKind,
    requests: f.requests,
    sessions: f.sessions,
    users: f.users,
    input_tokens: new JsonInt(f.inputTokens),
    output_tokens: new JsonInt(f.outputTokens),
    cache_read_tokens: new JsonInt(f.cacheReadTokens),
    cache_write_tokens: new JsonInt(f.cacheWriteTokens),
    duration_p50_ms: f.durationMs.p50,
    duration_p95_ms: f.durationMs.p95,
    duration_p99_ms: f.durationMs.p99,
    tool_calls: f.toolCalls,
    injected_tool_calls: f.injectedToolCalls,
    tool_errors: f.toolErrors,
    cost_usd: f.cost.total,
    input_cost_usd: f.cost.input,
    output_cost_usd: f.cost.output,
    cache_read_cost_usd: f.cost.cacheRead,
    cache_write_cost_usd: f.cost.cacheWrite,
    cache_savings_usd: f.cost.cacheSavings,
    cost_source: f.cost.source,
    unpriced_requests: f.cost.unpricedRequests,
    unpriced_tokens: new JsonInt(f.cost.unpricedTokens),
  };
}

type Json = ReturnType<typeof usageJson>;
type Cell = string | number | boolean | null;
const cell = (v: Json[keyof Json]): Cell => (v instanceof JsonInt ? v.text : v);

/** The CSV columns: exactly the JSON fields, in the same order (docs/exports.md). */
const TEXT_FIELDS = new Set(['bucket_start', 'bucket_end', 'initiator_id', 'initiator_username', 'model', 'provider', 'provider_name', 'client', 'credential_kind', 'cost_source']);
const SAMPLE = usageJson({
  initiatorId: null, model: null, provider: null, providerName: null, client: null, credentialKind: null, bucketStart: null, bucketEnd: null,
  username: null,
  figures: {
    requests: 0, sessions: 0, users: 0, inputTokens: '0', outputTokens: '0', cacheReadTokens: '0', cacheWriteTokens: '0',
    durationMs: { p50: null, p95: null, p99: null }, toolCalls: 0, injectedToolCalls: 0, toolErrors: 0, purged: false,
    cost: ZERO_COST,
  },
});
export const USAGE_CSV: readonly CsvColumn<Json>[] = (Object.keys(SAMPLE) as (keyof Json)[]).map((name) => ({
  name,
  kind: TEXT_FIELDS.has(name) ? 'text' : 'number',
  value: (r: Json) => cell(r[name]),
}));

export const USAGE_CSV_HEADER = csvHeader(USAGE_CSV);

/**
 * The report's rows, ready to write; throws the usage domain's input errors. Every figure comes
 * from the report's one statement, so it reads one state without a snapshot of its own (a
 * snapshot would also hold PGlite's one connection while the price book reads overrides).
 */
export async function usageRows(db: Queryable, viewer: Viewer, book: PriceBook, query: UsageQuery): Promise<UsageLine[]> {
  const report = await usageReport(db, viewer, book, query);
  const grouped = query.groupBy.length > 0 || query.bucket !== undefined;
  const groups: UsageGroup[] = grouped
    ? report.groups
    : [{ initiatorId: null, model: null, provider: null, providerName: null, client: null, credentialKind: null, bucketStart: null, bucketEnd: null, figures: report.totals! }];
  const users: Map<string, UserRow | null> = await userMapFor(db, groups.flatMap((g) => (g.initiatorId ? [g.initiatorId] : [])));
  return groups.map((g) => ({ ...g, username: g.initiatorId ? (users.get(g.initiatorId)?.username ?? '') : null }));
}

/** Writes the rows in batches (back-pressure as for the other exports); returns how many. */
export async function writeUsage(rows: UsageLine[], format: ExportFormat, sink: ExportSink, hooks: ExportHooks = {}): Promise<number> {
  await hooks.onStart?.();
  for (let from = 0; from < rows.length; from += EXPORT_BATCH) {
    await writeLines(sink, rows.slice(from, from + EXPORT_BATCH).map((r) => (format === 'csv' ? csvRow(USAGE_CSV, usageJson(r)) : encodeCoderJson(usageJson(r)))));
    hooks.onRows?.(Math.min(rows.length, from + EXPORT_BATCH));
  }
  return rows.length;
}
