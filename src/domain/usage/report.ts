import type { Viewer } from '../../auth/viewer.ts';
import type { Queryable } from '../../db/db.ts';
import { named, type SqlFragment, sql } from '../../db/sql.ts';
import { parseRfc3339 } from '../validation.ts';
import { interceptionConditions } from '../interception-filter.ts';
import { type Cost, costOf, integerText } from './cost.ts';
import { rethrowZoneError, UsageInputError, UsageTooLargeError } from './errors.ts';
import { type CostRow, type PriceBook, pricedUsagesSql, pricingNeedsOfTable, USAGE_SUM_COLUMNS, usageSums } from './priced-usages.ts';
import { isKnownTimeZone, maxBuckets, type TimeBucket, type UsageDimension, USAGE_LIMITS, type UsageQuery } from './query.ts';

export interface UsageFigures {
  requests: number;
  /** Distinct (session id, initiator) pairs. */
  sessions: number;
  users: number;
  inputTokens: string;
  outputTokens: string;
  cacheReadTokens: string;
  cacheWriteTokens: string;
  /** Over completed interceptions; null when there are none. */
  durationMs: { p50: number | null; p95: number | null; p99: number | null };
  toolCalls: number;
  injectedToolCalls: number;
  toolErrors: number;
  cost: Cost;
  /**
   * Some figures come from roll-ups of periods whose interceptions Coder's retention has since
   * deleted (src/rollups): kept, no longer checkable against rows. Always false when live.
   */
  purged: boolean;
}

export interface UsageKey {
  initiatorId: string | null;
  model: string | null;
  provider: string | null;
  providerName: string | null;
  client: string | null;
  credentialKind: 'centralized' | 'byok' | null;
  /** Bucket bounds as PostgreSQL timestamp text (UTC); null without a bucket. */
  bucketStart: string | null;
  bucketEnd: string | null;
}

export interface UsageGroup extends UsageKey {
  figures: UsageFigures;
}

export interface UsageReport {
  /** null when not asked for (UsageParts.totals). */
  totals: UsageFigures | null;
  groups: UsageGroup[];
}

const KEY_COLUMNS = ['initiatorId', 'model', 'provider', 'providerName', 'client', 'credentialKind'] as const;

/** Each dimension's key column; CLIENT folds NULL into 'Unknown', as REST's filter does. */
const DIMENSION_SQL: Record<UsageDimension, { column: (typeof KEY_COLUMNS)[number]; expr: SqlFragment }> = {
  INITIATOR: { column: 'initiatorId', expr: sql`i.initiator_id::text` },
  MODEL: { column: 'model', expr: sql`i.model` },
  PROVIDER: { column: 'provider', expr: sql`i.provider` },
  PROVIDER_NAME: { column: 'providerName', expr: sql`i.provider_name` },
  CLIENT: { column: 'client', expr: sql`coalesce(i.client, 'Unknown')` },
  CREDENTIAL_KIND: { column: 'credentialKind', expr: sql`i.credential_kind::text` },
};

const UNIT: Record<TimeBucket, SqlFragment> = { HOUR: sql`'hour'`, DAY: sql`'day'`, WEEK: sql`'week'`, MONTH: sql`'month'` };

/**
 * The start of the bucket holding `ts` in `zone`. date_trunc with a zone keeps the instant's own
 * offset below a day, so an hour bucket is a real hour across DST changes (a 23- or 25-hour day
 * has 23 or 25 of them), and cuts days, weeks (ISO, Monday) and months at local midnight.
 */
export const bucketStart = (bucket: TimeBucket, ts: SqlFragment, zone: string) => sql`date_trunc(${UNIT[bucket]}, ${ts}, ${zone}::text)`;

/** The end of a bucket (the next one's start): local calendar arithmetic above an hour. */
export function bucketEnd(bucket: TimeBucket, start: SqlFragment, zone: string): SqlFragment {
  if (bucket === 'HOUR') return sql`(${start} + interval '1 hour')`;
  return sql`((${start} AT TIME ZONE ${zone}::text) + ${`1 ${bucket.toLowerCase()}`}::interval) AT TIME ZONE ${zone}::text`;
}

/** Every bucket start from the one holding `from` through the one holding `to`. */
export function bucketSeries(bucket: TimeBucket, from: string, to: string, zone: string): SqlFragment {
  const first = bucketStart(bucket, sql`${from}::timestamptz`, zone);
  if (bucket === 'HOUR') return sql`SELECT generate_series(${first}, ${to}::timestamptz, interval '1 hour') AS b`;
  return sql`SELECT g AT TIME ZONE ${zone}::text AS b
               FROM generate_series(${first} AT TIME ZONE ${zone}::text, ${to}::timestamptz AT TIME ZONE ${zone}::text,
                                    ${`1 ${bucket.toLowerCase()}`}::interval) g`;
}

export interface FigureRow extends CostRow {
  requests: number;
  sessions: number;
  users: number;
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  toolCalls: number;
  injectedToolCalls: number;
  toolErrors: number;
  /** Roll-ups only: some rows come from purged periods. */
  purged?: boolean;
}

export type ReportRow = FigureRow & UsageKey & { isTotal: boolean; series: string[] | null; seriesEnds: string[] | null };

/**
 * Which parts of the answer to compute (all by default). Each costs its own work at scale:
 * totals repeat every aggregate over all rows, distinct counts and percentiles sort, tokens and
 * cost join the usages, tool figures the tool calls. Figures not computed read as zero/null, so
 * a surface must ask for everything it shows (GraphQL derives it from the selection).
 */
export interface UsageParts {
  totals: boolean;
  groups: boolean;
  sessions: boolean;
  users: boolean;
  durations: boolean;
  usages: boolean;
  /** Cost.unpricedRequests (a probe per unpriced usage row); needs `usages`. */
  unpriced: boolean;
  /** Cost.sources (the split by price source): the roll-ups keep amounts, not that split. */
  sources: boolean;
  tools: boolean;
}

export const ALL_PARTS: Readonly<UsageParts> = Object.freeze({ totals: true, groups: true, sessions: true, users: true, durations: true, usages: true, unpriced: true, sources: true, tools: true });

/** The parts an order needs whether or not it is shown. */
const ORDER_NEEDS: Partial<Record<string, keyof UsageParts>> = {
  SESSIONS: 'sessions', USERS: 'users', INPUT_TOKENS: 'usages', OUTPUT_TOKENS: 'usages', CACHE_READ_TOKENS: 'usages',
  CACHE_WRITE_TOKENS: 'usages', TOTAL_TOKENS: 'usages', COST: 'usages', CACHE_SAVINGS: 'usages', DURATION_P50: 'durations',
  DURATION_P95: 'durations', UNPRICED_REQUESTS: 'unpriced',
};

/**
 * A completed interception's duration in whole microseconds (what Coder's timestamps hold; the
 * float seconds of date_part are exact to the microsecond below 2^53 µs, so rounding recovers them).
 * date_part, not extract: extract returns numeric since PostgreSQL 14, a cast per row here.
 */
export const DURATION_US = sql`round(date_part('epoch', i.ended_at - i.started_at) * 1000000)::bigint`;

/**
 * The duration percentiles sort this: milliseconds as float8 from the exact microseconds. The
 * roll-ups store the microseconds and apply the same expression (src/rollups), so both sort the
 * very same float8 values and percentile_cont interpolates them alike.
 */
export const durationMs = (us: SqlFragment) => sql`(${us})::float8 / 1000`;
const DURATION_MS = durationMs(DURATION_US);

/**
 * Usage of the interceptions the viewer may see that match the filter: totals, and figures per
 * group of the chosen dimensions and time bucket. At most three statements whatever the number
 * of groups: which models need pricing (an index walk), the price overrides (in the price book),
 * and every figure in one statement. That statement aggregates interceptions, token usages and
 * tool calls each straight into the groups (GROUPING SETS adds the totals) and joins the few
 * group rows: no per-interception intermediate result, which at a million rows is what costs.
 */
export async function usageReport(db: Queryable, viewer: Viewer, book: PriceBook, q: UsageQuery, asked: UsageParts = ALL_PARTS): Promise<UsageReport> {
  const range = checkQuery(q);
  const want = wantedParts(q, asked);
  if (!want.groups && !want.totals) return { totals: null, groups: [] };

  const { models, recorded } = want.usages ? await pricingNeedsOfTable(db, await book.capabilities()) : { models: [], recorded: false };
  const periods = models.length ? await book.periodsFor(models) : [];

  const chosen = new Set(q.groupBy);
  const zone = q.timeZone;
  const keys = sql.join(
    (Object.entries(DIMENSION_SQL) as [UsageDimension, (typeof DIMENSION_SQL)[UsageDimension]][]).map(([dim, { column, expr }]) =>
      sql`${chosen.has(dim) ? expr : sql`NULL::text`} AS ${sql.ident(`k_${column}`)}`),
    sql`, `,
  );
  const bucket = q.bucket ? bucketStart(q.bucket, sql`i.started_at`, zone) : sql`NULL::timestamptz`;
  const where = interceptionConditions(viewer, q.filter);
  // The interceptions with their group keys; k_-prefixed as rows also carry the raw model and provider.
  // Only the columns used: every byte of a row is sorted once per distinct count and percentile.
  const keyed = sql`SELECT i.id, i.initiator_id, i.session_id, i.provider, i.model, i.started_at, i.ended_at, ${keys},
    ${bucket} AS "bucketStart" FROM aibridge_interceptions i WHERE ${where}`;
  const G = ['k_initiatorId', 'k_model', 'k_provider', 'k_providerName', 'k_client', 'k_credentialKind', 'bucketStart'];
  const cols = (a: string) => sql.join(G.map((c) => sql`${sql.ident(a)}.${sql.ident(c)}`), sql`, `);
  const sets = (a: string) => sql.join([...(want.groups ? [sql`(${cols(a)})`] : []), ...(want.totals ? [sql`()`] : [])], sql`, `);
  const groupBy = (a: string) => sql`GROUP BY GROUPING SETS (${sets(a)})`;
  // Totals alone group by () only, where the key columns are no grouping expressions.
  const keyColumns = (a: string) => (want.groups ? cols(a) : sql`NULL::text AS "k_initiatorId", NULL::text AS "k_model", NULL::text AS "k_provider",
    NULL::text AS "k_providerName", NULL::text AS "k_client", NULL::text AS "k_credentialKind", NULL::timestamptz AS "bucketStart"`);
  const isTotal = (a: string) => (want.groups ? sql`GROUPING(${cols(a)}) <> 0 AS "isTotal"` : sql`TRUE AS "isTotal"`);
  const sameGroup = (a: string, b: string) =>
    sql.join([...G, 'isTotal'].map((c) => sql`${sql.ident(a)}.${sql.ident(c)} IS NOT DISTINCT FROM ${sql.ident(b)}.${sql.ident(c)}`), sql` AND `);

  const series = q.bucket && range ? sql`(SELECT array_agg(s.b::text ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)` : sql`NULL::text[]`;
  const seriesEnds = q.bucket && range
    ? sql`(SELECT array_agg((${bucketEnd(q.bucket, sql`s.b`, zone)})::text ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)`
    : sql`NULL::text[]`;

  const usages = want.usages
    ? sql`, u AS (
        SELECT ${keyColumns('u')}, ${isTotal('u')},
               ${usageSums(want.sources)}
          FROM (${pricedUsagesSql(keyed, periods, recorded, want.unpriced)}) u ${groupBy('u')})`
    : sql.empty;
  const tools = want.tools
    ? sql`, tl AS (
        SELECT ${keyColumns('i')}, ${isTotal('i')}, count(*)::int AS "toolCalls", (count(*) FILTER (WHERE tu.injected))::int AS "injectedToolCalls",
               (count(*) FILTER (WHERE coalesce(tu.invocation_error, '') <> ''))::int AS "toolErrors"
          FROM (${keyed}) i JOIN aibridge_tool_usages tu ON tu.interception_id = i.id ${groupBy('i')})`
    : sql.empty;
  const pct = (p: number) => (want.durations ? sql`percentile_cont(${p}::float8) WITHIN GROUP (ORDER BY ${DURATION_MS})` : sql`NULL::float8`);

  let rows: ReportRow[];
  try {
    rows = await db.query<ReportRow>(
      named('usage.report')`
        WITH g AS (
          SELECT ${keyColumns('i')}, ${isTotal('i')}, count(*)::int AS requests,
                 ${want.sessions ? sql`count(DISTINCT (i.session_id, i.initiator_id))::int` : sql`0`} AS sessions,
                 ${want.users ? sql`count(DISTINCT i.initiator_id)::int` : sql`0`} AS users,
                 ${pct(0.5)} AS p50, ${pct(0.95)} AS p95, ${pct(0.99)} AS p99
            FROM (${keyed}) i ${groupBy('i')}
        )${usages}${tools}
        SELECT g.*, g."k_initiatorId" AS "initiatorId", g."k_model" AS model, g."k_provider" AS provider,
               g."k_providerName" AS "providerName", g."k_client" AS client, g."k_credentialKind" AS "credentialKind",
               ${q.bucket ? bucketEnd(q.bucket, sql`g."bucketStart"`, zone) : sql`NULL::timestamptz`} AS "bucketEnd",
               ${want.usages ? sql`${USAGE_SUM_COLUMNS},` : sql.empty}
               ${want.tools ? sql`tl."toolCalls", tl."injectedToolCalls", tl."toolErrors",` : sql.empty}
               CASE WHEN row_number() OVER () = 1 THEN ${series} END AS series,
               CASE WHEN row_number() OVER () = 1 THEN ${seriesEnds} END AS "seriesEnds"
          FROM g
          ${want.usages ? sql`LEFT JOIN u ON ${sameGroup('u', 'g')}` : sql.empty}
          ${want.tools ? sql`LEFT JOIN tl ON ${sameGroup('tl', 'g')}` : sql.empty}
         LIMIT ${USAGE_LIMITS.groups + 2}`,
    );
  } catch (err) {
    rethrowZoneError(err, zone);
  }
  return finishReport(rows, q, want, range);
}

/** What to compute: what was asked, what ordering needs, nothing grouped without groups. */
export function wantedParts(q: UsageQuery, asked: UsageParts): UsageParts {
  const grouped = q.groupBy.length > 0 || q.bucket !== undefined;
  const orderPart = q.orderBy ? ORDER_NEEDS[q.orderBy.field] : undefined;
  const want: UsageParts = { ...asked, groups: asked.groups && grouped, ...(orderPart && asked.groups ? { [orderPart]: true } : {}) };
  if (want.unpriced) want.usages = true;
  return want;
}

/**
 * The report from the statement's rows (one per group, the totals row flagged, the bucket series
 * on the first row): limits, empty buckets, order and top N. Shared by the live computation and
 * the roll-ups (src/rollups/read.ts), so both answer alike from the same rows.
 */
export function finishReport(rows: ReportRow[], q: UsageQuery, want: UsageParts, range: { from: string; to: string } | null): UsageReport {
  const total = rows.find((r) => r.isTotal);
  const found = rows.filter((r) => !r.isTotal);
  if (found.length > USAGE_LIMITS.groups) {
    throw new UsageTooLargeError(
      `The usage query has more than ${USAGE_LIMITS.groups} groups; narrow the filter, use a coarser bucket or fewer dimensions.`,
      'groups', found.length, USAGE_LIMITS.groups,
    );
  }
  let groups = want.groups ? found.map(toGroup) : [];
  const series0 = rows[0];
  if (want.groups && q.bucket && range && series0?.series) groups = fillEmptyBuckets(groups, series0.series, series0.seriesEnds!, q.groupBy.length > 0, (g) => JSON.stringify(KEY_COLUMNS.map((k) => g[k])), emptyKey);
  groups = order(groups, q);
  return { totals: want.totals ? figuresOf(total ?? { ...ZERO_FIGURES }) : null, groups: q.first === undefined ? groups : groups.slice(0, q.first) };
}

/** Validates what SQL would reject obscurely (usage and tool analytics alike); returns the bounded range, if any. */
export function checkQuery(q: Pick<UsageQuery, 'timeZone' | 'bucket' | 'first' | 'filter'> & { groupBy: readonly string[] }): { from: string; to: string } | null {
  if (!isKnownTimeZone(q.timeZone)) throw new UsageInputError(`Unknown time zone ${JSON.stringify(q.timeZone)}: use an IANA name such as "Europe/Berlin".`, 'timeZone');
  if (new Set(q.groupBy).size !== q.groupBy.length) throw new UsageInputError('groupBy names a dimension twice.', 'groupBy');
  if (q.first !== undefined && q.first < 0) throw new UsageInputError('"first" must not be negative.', 'first');
  const from = q.filter.startedAfter;
  const to = q.filter.startedBefore;
  if (from === undefined || to === undefined) return null;
  if (q.bucket) {
    const ms = (s: string) => Number(parseRfc3339(s.toUpperCase())!.epochNanos / 1_000_000n);
    const n = maxBuckets(q.bucket, ms(from), ms(to));
    if (n > USAGE_LIMITS.buckets) {
      throw new UsageTooLargeError(
        `${q.bucket} buckets over this range would be up to ${n} buckets; at most ${USAGE_LIMITS.buckets} are allowed: use a coarser bucket or a shorter range.`,
        'buckets', n, USAGE_LIMITS.buckets,
      );
    }
  }
  return { from, to };
}

function figuresOf(row: FigureRow): UsageFigures {
  // Groups without usages or tool calls have no row in those aggregates: zero.
  const r = { ...ZERO_FIGURES, ...Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)), p50: row.p50, p95: row.p95, p99: row.p99 };
  return {
    requests: r.requests,
    sessions: r.sessions,
    users: r.users,
    inputTokens: integerText(r.input),
    outputTokens: integerText(r.output),
    cacheReadTokens: integerText(r.cacheRead),
    cacheWriteTokens: integerText(r.cacheWrite),
    durationMs: { p50: r.p50, p95: r.p95, p99: r.p99 },
    toolCalls: r.toolCalls,
    injectedToolCalls: r.injectedToolCalls,
    toolErrors: r.toolErrors,
    cost: costOf(r),
    purged: r.purged ?? false,
  };
}

const toGroup = (r: ReportRow): UsageGroup => ({
  ...Object.fromEntries(KEY_COLUMNS.map((k) => [k, r[k]])) as Omit<UsageKey, 'bucketStart' | 'bucketEnd'>,
  bucketStart: r.bucketStart,
  bucketEnd: r.bucketEnd,
  figures: figuresOf(r),
});

const ZERO_FIGURES: FigureRow = {
  requests: 0, sessions: 0, users: 0, input: '0', output: '0', cacheRead: '0', cacheWrite: '0', p50: null, p95: null, p99: null,
  toolCalls: 0, injectedToolCalls: 0, toolErrors: 0, costTotal: '0', costInput: '0', costOutput: '0', costCacheRead: '0',
  costCacheWrite: '0', costSaved: '0', unpricedRequests: 0, unpricedTokens: '0', recordedRows: 0, bookRows: 0,
};

/**
 * Every key combination found × every bucket of the range, so a chart needs no gap filling.
 * Without dimensions there is one combination, present even when nothing matched.
 */
export function fillEmptyBuckets<G extends { bucketStart: string | null; bucketEnd: string | null; figures: unknown }>(
  groups: G[], starts: string[], ends: string[], byKey: boolean, keyOf: (g: G) => string, empty: () => G,
): G[] {
  const combos = new Map<string, G>(byKey ? groups.map((g) => [keyOf(g), g]) : [[keyOf(empty()), empty()]]);
  if (combos.size * starts.length > USAGE_LIMITS.groups) {
    throw new UsageTooLargeError(
      `Filling empty buckets would give ${combos.size * starts.length} groups, more than ${USAGE_LIMITS.groups}; narrow the filter or use a coarser bucket.`,
      'groups', combos.size * starts.length, USAGE_LIMITS.groups,
    );
  }
  const have = new Map(groups.map((g) => [`${keyOf(g)} ${g.bucketStart}`, g]));
  return [...combos.entries()].flatMap(([key, g]) =>
    starts.map((start, n) => have.get(`${key} ${start}`) ?? { ...g, bucketStart: start, bucketEnd: ends[n], figures: empty().figures }));
}

function emptyKey(): UsageGroup {
  return { initiatorId: null, model: null, provider: null, providerName: null, client: null, credentialKind: null, bucketStart: null, bucketEnd: null, figures: figuresOf(ZERO_FIGURES) };
}

/** Exact comparison of decimal texts (token sums, USD amounts) without floats. */
function compareDecimal(a: string, b: string): number {
  const scale = (s: string) => {
    const [whole, frac = ''] = s.replace('-', '').split('.');
    return (BigInt(whole + frac.padEnd(6, '0')) * (s.startsWith('-') ? -1n : 1n));
  };
  const d = scale(a) - scale(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

const nullLast = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b);

const SORT_KEYS: Record<string, (a: UsageFigures, b: UsageFigures) => number> = {
  REQUESTS: (a, b) => a.requests - b.requests,
  SESSIONS: (a, b) => a.sessions - b.sessions,
  USERS: (a, b) => a.users - b.users,
  INPUT_TOKENS: (a, b) => compareDecimal(a.inputTokens, b.inputTokens),
  OUTPUT_TOKENS: (a, b) => compareDecimal(a.outputTokens, b.outputTokens),
  CACHE_READ_TOKENS: (a, b) => compareDecimal(a.cacheReadTokens, b.cacheReadTokens),
  CACHE_WRITE_TOKENS: (a, b) => compareDecimal(a.cacheWriteTokens, b.cacheWriteTokens),
  TOTAL_TOKENS: (a, b) => compareDecimal(totalTokens(a), totalTokens(b)),
  COST: (a, b) => compareDecimal(a.cost.total, b.cost.total),
  CACHE_SAVINGS: (a, b) => compareDecimal(a.cost.cacheSavings, b.cost.cacheSavings),
  DURATION_P50: (a, b) => nullLast(a.durationMs.p50, b.durationMs.p50),
  DURATION_P95: (a, b) => nullLast(a.durationMs.p95, b.durationMs.p95),
  UNPRICED_REQUESTS: (a, b) => a.cost.unpricedRequests - b.cost.unpricedRequests,
};

export const totalTokens = (f: UsageFigures) =>
  (BigInt(f.inputTokens) + BigInt(f.outputTokens) + BigInt(f.cacheReadTokens) + BigInt(f.cacheWriteTokens)).toString();

/** Ties (and the default order) go by bucket, then by the key columns, in byte order. */
function order(groups: UsageGroup[], q: UsageQuery): UsageGroup[] {
  const byKey = (a: UsageGroup, b: UsageGroup) => {
    for (const k of ['bucketStart', ...KEY_COLUMNS] as const) {
      const x = a[k] ?? '';
      const y = b[k] ?? '';
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  const field = q.orderBy?.field ?? 'BUCKET';
  const sign = q.orderBy?.direction === 'DESC' ? -1 : 1;
  const primary = field === 'BUCKET' ? () => 0 : (a: UsageGroup, b: UsageGroup) => SORT_KEYS[field](a.figures, b.figures);
  return [...groups].sort((a, b) => sign * primary(a, b) || (field === 'BUCKET' ? sign * byKey(a, b) : byKey(a, b)));
}

