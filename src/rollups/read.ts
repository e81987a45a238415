import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, type SqlFragment, sql } from '../db/sql.ts';
import { interceptionConditions } from '../domain/interception-filter.ts';
import { rethrowZoneError } from '../domain/usage/errors.ts';
import { type PriceBook, pricingNeedsOfTable } from '../domain/usage/priced-usages.ts';
import type { UsageQuery } from '../domain/usage/query.ts';
import { USAGE_LIMITS } from '../domain/usage/query.ts';
import {
  ALL_PARTS, bucketEnd, bucketSeries, bucketStart, checkQuery, durationMs, finishReport, type ReportRow, type UsageParts, type UsageReport, usageReport, wantedParts,
} from '../domain/usage/report.ts';
import { parseRfc3339 } from '../domain/validation.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { modelKey } from '../prices/period.ts';
import { grainRows, PERIOD_TEXT } from './grain.ts';
import { priceKeys } from './price-keys.ts';
import { HOUR_MS } from './refresh.ts';
import { storeQueryable } from './store-sql.ts';

/** Why an answer was computed live rather than from roll-ups (for tests, logs and the bench). */
export type LiveReason = 'no-rollups' | 'filter' | 'sources' | 'zone' | 'prices' | 'range';

export interface RolledReport extends UsageReport {
  /** null when roll-ups answered (with a live part for what they do not cover). */
  live: LiveReason | null;
}

interface Meta {
  start: string | null;
  edge: string | null;
  open: string[];
  purgedUntil: string | null;
  wholeHours: boolean;
}

const micros = (rfc3339: string) => parseRfc3339(rfc3339.toUpperCase())!.epochNanos / 1000n;
const hourText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00`;
const textMs = (text: string) => Date.parse(text.replace(' ', 'T').replace(/\+00$/, 'Z'));

/**
 * Query.usage from the roll-ups of closed hours plus a live part, with figures identical to
 * `usageReport` (the live computation) over the same interceptions:
 *
 * - the roll-ups answer the whole UTC hours inside the filter's range that are closed; the live
 *   part is every other matching interception (the open edge, hours with an interception in
 *   flight, the partial hours at either end of the range), computed by the same grain statement
 *   the refresher uses (src/rollups/grain.ts) and shipped into one final statement in the store;
 * - distinct sessions and users are counted over grain keys that hold the session and the
 *   initiator, percentiles over the very durations the live percentile sorts: exact, not additive;
 * - it answers live instead when the roll-ups cannot answer exactly: a filter they do not hold
 *   (`failed`), the split of costs by price source (`Cost.sources`), a bucket in a zone whose offset is not a whole number of hours over the rolled
 *   hours, a model whose prices changed since it was rolled (until the refresher re-prices it),
 *   or a range holding no whole closed hour.
 *
 * Amounts of purged hours (Coder's retention deleted their rows) come from the roll-ups alone
 * and are flagged `purged`; a live answer has no figures for them.
 */
export async function rolledUsageReport(
  db: Queryable, prisma: PrismaClient, viewer: Viewer, book: PriceBook, q: UsageQuery, asked: UsageParts = ALL_PARTS,
): Promise<RolledReport> {
  const live = async (why: LiveReason): Promise<RolledReport> => ({ ...(await usageReport(db, viewer, book, q, asked)), live: why });
  const range = checkQuery(q);
  const want = wantedParts(q, asked);
  if (!want.groups && !want.totals) return { totals: null, groups: [], live: null };
  if (q.filter.failed) return live('filter');
  // The roll-ups keep each grain row's amounts, not their split by price source.
  if (want.usages && want.sources) return live('sources');

  const store = storeQueryable(prisma);
  const [meta] = await store.query<Meta>(named('rollups.meta')`
    SELECT ${PERIOD_TEXT(sql`min(p.period)`)} AS start, ${PERIOD_TEXT(sql`max(p.period) + interval '1 hour'`)} AS edge,
           coalesce(array_agg(${PERIOD_TEXT(sql`p.period`)} ORDER BY p.period) FILTER (WHERE p.state = 'open'), '{}') AS open,
           ${PERIOD_TEXT(sql`max(p.period) FILTER (WHERE p.purged) + interval '1 hour'`)} AS "purgedUntil",
           coalesce(bool_and(date_trunc('hour', p.period, ${q.timeZone}::text) = p.period), true) AS "wholeHours"
      FROM gateway_usage_rollup_periods p`).catch(missingStore);
  if (!meta?.start || !meta.edge) return live('no-rollups');
  if (q.bucket && !meta.wholeHours) return live('zone');

  // The rolled window: whole closed hours inside the (inclusive) range.
  const start = textMs(meta.start);
  const edge = textMs(meta.edge);
  const after = q.filter.startedAfter === undefined ? null : micros(q.filter.startedAfter);
  const before = q.filter.startedBefore === undefined ? null : micros(q.filter.startedBefore) + 1n;
  const ceilHour = (us: bigint) => Number((us + BigInt(HOUR_MS) * 1000n - 1n) / (BigInt(HOUR_MS) * 1000n)) * HOUR_MS;
  const floorHour = (us: bigint) => Number(us / (BigInt(HOUR_MS) * 1000n)) * HOUR_MS;
  const lo = Math.max(start, after === null ? start : ceilHour(after));
  const hi = Math.min(edge, before === null ? edge : floorHour(before));
  if (lo >= hi) return live('range');

  const { models, recorded } = want.usages ? await pricingNeedsOfTable(db, await book.capabilities()) : { models: [], recorded: false };
  const periods = models.length ? await book.periodsFor(models) : [];
  if (want.usages) {
    const keys = priceKeys(models, periods);
    const stored = await prisma.usageRollupPrice.findMany();
    if (stored.some((p) => keys.has(modelKey(p)) && keys.get(modelKey(p)) !== p.priceKey)) return live('prices');
    // A model the refresher has not priced yet may still have rolled rows from before it knew it.
    const storedKeys = new Set(stored.map(modelKey));
    if (models.some((m) => !storedKeys.has(modelKey(m)))) return live('prices');
  }

  const open = meta.open.map(textMs).filter((h) => h >= lo && h < hi);
  const outside = sql.join([
    sql`i.started_at < ${hourText(lo)}::timestamptz`,
    sql`i.started_at >= ${hourText(hi)}::timestamptz`,
    ...open.map((h) => sql`(i.started_at >= ${hourText(h)}::timestamptz AND i.started_at < ${hourText(h + HOUR_MS)}::timestamptz)`),
  ], sql` OR `);
  const zone = q.timeZone;
  const liveRows = await grainRows(db, sql`${interceptionConditions(viewer, q.filter)} AND (${outside})`, periods, recorded,
    q.bucket ? bucketStart(q.bucket, sql`i.started_at`, zone) : sql`NULL::timestamptz`);

  const f = q.filter;
  const rolledWhere = sql.join([
    sql`r.period >= ${hourText(lo)}::timestamptz AND r.period < ${hourText(hi)}::timestamptz`,
    ...(viewer.seesAll ? [] : [sql`r.initiator_id = ${viewer.id}::uuid`]),
    ...(f.initiatorId !== undefined ? [sql`r.initiator_id = ${f.initiatorId}::uuid`] : []),
    ...(f.provider !== undefined ? [sql`r.provider = ${f.provider}::text`] : []),
    ...(f.providerName !== undefined ? [sql`r.provider_name = ${f.providerName}::text`] : []),
    ...(f.model !== undefined ? [sql`r.model = ${f.model}::text`] : []),
    ...(f.client !== undefined ? [sql`r.client = ${f.client}::text`] : []),
    ...(f.sessionId !== undefined ? [sql`r.session_id = ${f.sessionId}::text`] : []),
  ], sql` AND `);

  let rows: ReportRow[];
  try {
    const statement = finalStatement(q, want, range, rolledWhere, JSON.stringify(liveRows.map((r) => ({ ...r, durationsUs: r.durationsUs.map(Number) }))), meta.purgedUntil);
    // Its two sorts (groups, then every duration for the percentiles) spilled to disk at the default
    // 4 MB (35 and 42 MB at 1M interceptions); in memory for this one statement.
    [, rows] = await prisma.$transaction([
      prisma.$executeRawUnsafe(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`),
      prisma.$queryRawUnsafe<ReportRow[]>(statement.text, ...statement.values),
    // Prisma's 5 s default would cut a large report short: the statement timeout bounds it instead.
    ], { maxWait: 10_000, timeout: 120_000 });
  } catch (err) {
    rethrowZoneError(err, zone);
  }
  return { ...finishReport(rows, q, want, range), live: null };
}

const REPORT_WORK_MEM = '96MB';

/** A store without the roll-up tables (a Coder database served read-only without a state store) has no roll-ups. */
function missingStore(err: unknown): Meta[] {
  if ((err as { code?: string; meta?: { code?: string } }).meta?.code === '42P01' || /gateway_usage_rollup_periods/.test(String((err as Error).message))) return [];
  throw err;
}

const KEYS = [
  { dim: 'INITIATOR', column: 'k_initiatorId', expr: sql`r.initiator_id::text` },
  { dim: 'MODEL', column: 'k_model', expr: sql`r.model` },
  { dim: 'PROVIDER', column: 'k_provider', expr: sql`r.provider` },
  { dim: 'PROVIDER_NAME', column: 'k_providerName', expr: sql`r.provider_name` },
  { dim: 'CLIENT', column: 'k_client', expr: sql`r.client` },
  { dim: 'CREDENTIAL_KIND', column: 'k_credentialKind', expr: sql`r.credential_kind` },
] as const;

const SUMS = [
  ['input_tokens', 'inputTokens', 'input'], ['output_tokens', 'outputTokens', 'output'], ['cache_read_tokens', 'cacheReadTokens', 'cacheRead'],
  ['cache_write_tokens', 'cacheWriteTokens', 'cacheWrite'], ['cost_total', 'costTotal', 'costTotal'], ['cost_input', 'costInput', 'costInput'],
  ['cost_output', 'costOutput', 'costOutput'], ['cost_cache_read', 'costCacheRead', 'costCacheRead'], ['cost_cache_write', 'costCacheWrite', 'costCacheWrite'],
  ['cost_saved', 'costSaved', 'costSaved'], ['unpriced_tokens', 'unpricedTokens', 'unpricedTokens'],
] as const;
const COUNTS = [
  ['requests', 'requests'], ['unpriced_requests', 'unpricedRequests'], ['recorded_rows', 'recordedRows'], ['book_rows', 'bookRows'],
  ['tool_calls', 'toolCalls'], ['injected_tool_calls', 'injectedToolCalls'], ['tool_errors', 'toolErrors'],
] as const;

/**
 * The answer's rows from the rolled rows (`gateway_usage_rollups r` under `rolledWhere`) and the
 * live grain rows (JSON), with the same row shape, grouping sets and percentile function as the
 * live statement (src/domain/usage/report.ts), timestamps formatted as PostgreSQL's ISO text.
 */
function finalStatement(q: UsageQuery, want: UsageParts, range: { from: string; to: string } | null, rolledWhere: SqlFragment, liveJson: string, purgedUntil: string | null) {
  const zone = q.timeZone;
  const chosen = new Set<string>(q.groupBy);
  const keyOf = (expr: (k: (typeof KEYS)[number]) => SqlFragment) =>
    sql.join(KEYS.map((k) => sql`${chosen.has(k.dim) ? expr(k) : sql`NULL::text`} AS ${sql.ident(k.column)}`), sql`, `);
  const iso = (ts: SqlFragment) => PERIOD_TEXT(ts);
  const liveKey: Record<string, SqlFragment> = {
    INITIATOR: sql`l."initiatorId"`, MODEL: sql`l.model`, PROVIDER: sql`l.provider`, PROVIDER_NAME: sql`l."providerName"`,
    CLIENT: sql`l.client`, CREDENTIAL_KIND: sql`l."credentialKind"`,
  };
  const G = ['k_initiatorId', 'k_model', 'k_provider', 'k_providerName', 'k_client', 'k_credentialKind', 'bucketStart'];
  const cols = (a: string) => sql.join(G.map((c) => sql`${sql.ident(a)}.${sql.ident(c)}`), sql`, `);
  const sets = (a: string) => sql.join([...(want.groups ? [sql`(${cols(a)})`] : []), ...(want.totals ? [sql`()`] : [])], sql`, `);
  const keyColumns = (a: string) => (want.groups ? cols(a) : sql`NULL::text AS "k_initiatorId", NULL::text AS "k_model", NULL::text AS "k_provider",
    NULL::text AS "k_providerName", NULL::text AS "k_client", NULL::text AS "k_credentialKind", NULL::timestamptz AS "bucketStart"`);
  const isTotal = (a: string) => (want.groups ? sql`GROUPING(${cols(a)}) <> 0 AS "isTotal"` : sql`TRUE AS "isTotal"`);
  const sameGroup = (a: string, b: string) =>
    sql.join([...G, 'isTotal'].map((c) => sql`${sql.ident(a)}.${sql.ident(c)} IS NOT DISTINCT FROM ${sql.ident(b)}.${sql.ident(c)}`), sql` AND `);
  const series = q.bucket && range ? sql`(SELECT array_agg(${iso(sql`s.b`)} ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)` : sql`NULL::text[]`;
  const seriesEnds = q.bucket && range
    ? sql`(SELECT array_agg(${iso(bucketEnd(q.bucket, sql`s.b`, zone))} ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)`
    : sql`NULL::text[]`;
  const pct = (p: number) => sql`percentile_cont(${p}::float8) WITHIN GROUP (ORDER BY ${durationMs(sql`d.d`)})`;
  const recordColumns = sql`"initiatorId" text, "sessionId" text, model text, provider text, "providerName" text, client text, "credentialKind" text,
    bucket timestamptz, requests int, "inputTokens" numeric, "outputTokens" numeric, "cacheReadTokens" numeric, "cacheWriteTokens" numeric,
    "costTotal" numeric, "costInput" numeric, "costOutput" numeric, "costCacheRead" numeric, "costCacheWrite" numeric, "costSaved" numeric,
    "unpricedRequests" int, "unpricedTokens" numeric, "recordedRows" int, "bookRows" int, "toolCalls" int, "injectedToolCalls" int,
    "toolErrors" int, "durationsUs" int8[]`;

  return named('rollups.report')`
    WITH r AS (
      SELECT ${keyOf((k) => k.expr)}, ${q.bucket ? bucketStart(q.bucket, sql`r.period`, zone) : sql`NULL::timestamptz`} AS "bucketStart",
             r.initiator_id::text AS ini, r.session_id AS ses,
             ${sql.join(SUMS.map(([c, , as]) => sql`r.${sql.ident(c)}::numeric AS ${sql.ident(as)}`), sql`, `)},
             ${sql.join(COUNTS.map(([c, as]) => sql`r.${sql.ident(c)} AS ${sql.ident(as)}`), sql`, `)},
             ${want.durations ? sql`r.durations_us` : sql`NULL::bigint[]`} AS durations, ${purgedUntil === null ? sql`FALSE` : sql`r.period < ${purgedUntil}::timestamptz`} AS purged
        FROM gateway_usage_rollups r WHERE ${rolledWhere}
      UNION ALL
      SELECT ${keyOf((k) => liveKey[k.dim])}, l.bucket AS "bucketStart", l."initiatorId" AS ini, l."sessionId" AS ses,
             ${sql.join(SUMS.map(([, c, as]) => sql`l.${sql.ident(c)} AS ${sql.ident(as)}`), sql`, `)},
             ${sql.join(COUNTS.map(([, c]) => sql`l.${sql.ident(c)}`), sql`, `)},
             ${want.durations ? sql`l."durationsUs"` : sql`NULL::bigint[]`} AS durations, FALSE AS purged
        FROM jsonb_to_recordset(${liveJson}::jsonb) AS l(${recordColumns})
    ), g AS (
      SELECT ${keyColumns('r')}, ${isTotal('r')}, sum(r.requests)::int AS requests,
             ${want.sessions ? sql`count(DISTINCT (r.ses, r.ini))::int` : sql`0`} AS sessions,
             ${want.users ? sql`count(DISTINCT r.ini)::int` : sql`0`} AS users,
             ${sql.join(SUMS.map(([, , as]) => sql`sum(r.${sql.ident(as)})::text AS ${sql.ident(as)}`), sql`, `)},
             ${sql.join(COUNTS.filter(([, as]) => as !== 'requests').map(([, as]) => sql`sum(r.${sql.ident(as)})::int AS ${sql.ident(as)}`), sql`, `)},
             bool_or(r.purged) AS purged
        FROM r GROUP BY GROUPING SETS (${sets('r')})
    )${want.durations ? sql`, pc AS (
      SELECT ${keyColumns('r')}, ${isTotal('r')}, ${pct(0.5)} AS p50, ${pct(0.95)} AS p95, ${pct(0.99)} AS p99
        FROM r CROSS JOIN LATERAL unnest(r.durations) AS d(d)
       GROUP BY GROUPING SETS (${sets('r')})
    )` : sql.empty}
    SELECT g."isTotal", g.requests, g.sessions, g.users, g.input, g.output, g."cacheRead", g."cacheWrite",
           g."costTotal", g."costInput", g."costOutput", g."costCacheRead", g."costCacheWrite", g."costSaved",
           g."unpricedRequests", g."unpricedTokens", g."recordedRows", g."bookRows",
           ${want.tools ? sql`g."toolCalls", g."injectedToolCalls", g."toolErrors"` : sql`0 AS "toolCalls", 0 AS "injectedToolCalls", 0 AS "toolErrors"`},
           g.purged, ${want.durations ? sql`pc.p50, pc.p95, pc.p99` : sql`NULL::float8 AS p50, NULL::float8 AS p95, NULL::float8 AS p99`},
           g."k_initiatorId" AS "initiatorId", g."k_model" AS model, g."k_provider" AS provider,
           g."k_providerName" AS "providerName", g."k_client" AS client, g."k_credentialKind" AS "credentialKind",
           ${iso(sql`g."bucketStart"`)} AS "bucketStart",
           ${q.bucket ? iso(bucketEnd(q.bucket, sql`g."bucketStart"`, zone)) : sql`NULL::text`} AS "bucketEnd",
           CASE WHEN row_number() OVER () = 1 THEN ${series} END AS series,
           CASE WHEN row_number() OVER () = 1 THEN ${seriesEnds} END AS "seriesEnds"
      FROM g ${want.durations ? sql`LEFT JOIN pc ON ${sameGroup('pc', 'g')}` : sql.empty}
     LIMIT ${USAGE_LIMITS.groups + 2}::int`;
}
