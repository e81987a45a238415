import type { Viewer } from '../../auth/viewer.ts';
import type { Queryable } from '../../db/db.ts';
import { named, type SqlFragment, sql } from '../../db/sql.ts';
import { parseRfc3339 } from '../validation.ts';
import { interceptionConditions } from '../interception-filter.ts';
import { type Cost, costOf, integerText } from './cost.ts';
import { UsageInputError, UsageTooLargeError } from './errors.ts';
import { COST_AGGREGATES, type CostRow, interceptionCostsSql, type PriceBook, pricingNeeds } from './priced-usages.ts';
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
  totals: UsageFigures;
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
const bucketStart = (bucket: TimeBucket, ts: SqlFragment, zone: string) => sql`date_trunc(${UNIT[bucket]}, ${ts}, ${zone}::text)`;

/** The end of a bucket (the next one's start): local calendar arithmetic above an hour. */
function bucketEnd(bucket: TimeBucket, start: SqlFragment, zone: string): SqlFragment {
  if (bucket === 'HOUR') return sql`(${start} + interval '1 hour')`;
  return sql`((${start} AT TIME ZONE ${zone}::text) + ${`1 ${bucket.toLowerCase()}`}::interval) AT TIME ZONE ${zone}::text`;
}

/** Every bucket start from the one holding `from` through the one holding `to`. */
function bucketSeries(bucket: TimeBucket, from: string, to: string, zone: string): SqlFragment {
  const first = bucketStart(bucket, sql`${from}::timestamptz`, zone);
  if (bucket === 'HOUR') return sql`SELECT generate_series(${first}, ${to}::timestamptz, interval '1 hour') AS b`;
  return sql`SELECT g AT TIME ZONE ${zone}::text AS b
               FROM generate_series(${first} AT TIME ZONE ${zone}::text, ${to}::timestamptz AT TIME ZONE ${zone}::text,
                                    ${`1 ${bucket.toLowerCase()}`}::interval) g`;
}

interface FigureRow extends CostRow {
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
}

type ReportRow = FigureRow & UsageKey & { isTotal: boolean; series: string[] | null; seriesEnds: string[] | null };

/**
 * Usage of the interceptions the viewer may see that match the filter: totals, and figures per
 * group of the chosen dimensions and time bucket. Three statements whatever the number of
 * groups: what needs pricing, the price overrides (in the price book), and the figures with
 * their totals (GROUPING SETS) in one pass over the interceptions, their usages and tool calls.
 */
export async function usageReport(db: Queryable, viewer: Viewer, book: PriceBook, q: UsageQuery): Promise<UsageReport> {
  const range = checkQuery(q);
  const members = sql`SELECT i.* FROM aibridge_interceptions i WHERE ${interceptionConditions(viewer, q.filter)}`;
  const { models, recorded } = await pricingNeeds(db, members);
  const periods = models.length ? await book.periodsFor(models) : [];

  const chosen = new Set(q.groupBy);
  const keys = sql.join(
    (Object.entries(DIMENSION_SQL) as [UsageDimension, (typeof DIMENSION_SQL)[UsageDimension]][]).map(([dim, { column, expr }]) =>
      sql`${chosen.has(dim) ? expr : sql`NULL::text`} AS ${sql.ident(`k_${column}`)}`),
    sql`, `,
  );
  const zone = q.timeZone;
  const bucket = q.bucket ? bucketStart(q.bucket, sql`i.started_at`, zone) : sql`NULL::timestamptz`;
  // Key columns are k_-prefixed in the CTE: `i` also carries the raw model and provider.
  const groupColumns = sql`i."k_initiatorId", i."k_model", i."k_provider", i."k_providerName", i."k_client", i."k_credentialKind", i."bucketStart"`;
  const series = q.bucket && range ? sql`(SELECT array_agg(s.b::text ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)` : sql`NULL::timestamptz[]`;
  const seriesEnds = q.bucket && range
    ? sql`(SELECT array_agg((${bucketEnd(q.bucket, sql`s.b`, zone)})::text ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)`
    : sql`NULL::timestamptz[]`;
  const grouped = q.groupBy.length > 0 || q.bucket !== undefined;

  let rows: ReportRow[];
  try {
    rows = await db.query<ReportRow>(
      named('usage.report')`
        WITH i AS (
          SELECT i.id, i.initiator_id, i.session_id, i.provider, i.model, i.started_at, i.ended_at,
                 ${keys}, ${bucket} AS "bucketStart"
            FROM aibridge_interceptions i WHERE ${interceptionConditions(viewer, q.filter)}
        ),
        c AS (${interceptionCostsSql(sql`SELECT id, provider, model, started_at FROM i`, periods, recorded)}),
        tl AS (
          SELECT tu.interception_id AS id, count(*) AS calls, count(*) FILTER (WHERE tu.injected) AS injected,
                 count(*) FILTER (WHERE coalesce(tu.invocation_error, '') <> '') AS errors
            FROM aibridge_tool_usages tu WHERE tu.interception_id IN (SELECT id FROM i) GROUP BY 1
        ),
        agg AS (
          SELECT ${groupColumns}, GROUPING(${groupColumns}) <> 0 AS "isTotal",
                 count(*)::int AS requests, count(DISTINCT (i.session_id, i.initiator_id))::int AS sessions,
                 count(DISTINCT i.initiator_id)::int AS users,
                 coalesce(sum(c.tin), 0)::text AS input, coalesce(sum(c.tout), 0)::text AS output,
                 coalesce(sum(c.tcr), 0)::text AS "cacheRead", coalesce(sum(c.tcw), 0)::text AS "cacheWrite",
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.ended_at - i.started_at) * 1000) AS p50,
                 percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM i.ended_at - i.started_at) * 1000) AS p95,
                 percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM i.ended_at - i.started_at) * 1000) AS p99,
                 coalesce(sum(tl.calls), 0)::int AS "toolCalls", coalesce(sum(tl.injected), 0)::int AS "injectedToolCalls",
                 coalesce(sum(tl.errors), 0)::int AS "toolErrors",
                 ${COST_AGGREGATES}
            FROM i LEFT JOIN c ON c.id = i.id LEFT JOIN tl ON tl.id = i.id
           GROUP BY GROUPING SETS ((${groupColumns}), ())
        )
        SELECT agg.*, agg."k_initiatorId" AS "initiatorId", agg."k_model" AS model, agg."k_provider" AS provider,
               agg."k_providerName" AS "providerName", agg."k_client" AS client, agg."k_credentialKind" AS "credentialKind",
               ${q.bucket ? bucketEnd(q.bucket, sql`agg."bucketStart"`, zone) : sql`NULL::timestamptz`} AS "bucketEnd",
               CASE WHEN agg."isTotal" THEN ${series} END AS series,
               CASE WHEN agg."isTotal" THEN ${seriesEnds} END AS "seriesEnds"
          FROM agg
         ORDER BY agg."isTotal" DESC
         LIMIT ${USAGE_LIMITS.groups + 2}`,
    );
  } catch (err) {
    // Intl and PostgreSQL's zone databases can differ on rare names: PostgreSQL's word is final.
    if ((err as { code?: string }).code === '22023' && /time zone/i.test((err as Error).message)) {
      throw new UsageInputError(`Unknown time zone ${JSON.stringify(zone)}.`, 'timeZone');
    }
    throw err;
  }
  const [total, ...found] = rows;
  if (found.length > USAGE_LIMITS.groups) {
    throw new UsageTooLargeError(
      `The usage query has more than ${USAGE_LIMITS.groups} groups; narrow the filter, use a coarser bucket or fewer dimensions.`,
      'groups', found.length, USAGE_LIMITS.groups,
    );
  }
  let groups = grouped ? found.map(toGroup) : [];
  if (q.bucket && range && total?.series) groups = fillEmptyBuckets(groups, total.series, total.seriesEnds!, q.groupBy.length > 0);
  groups = order(groups, q);
  return { totals: figuresOf(total!), groups: q.first === undefined ? groups : groups.slice(0, q.first) };
}

/** Validates what SQL would reject obscurely; returns the bounded range, if any. */
function checkQuery(q: UsageQuery): { from: string; to: string } | null {
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

function figuresOf(r: FigureRow): UsageFigures {
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
function fillEmptyBuckets(groups: UsageGroup[], starts: string[], ends: string[], byKey: boolean): UsageGroup[] {
  const keyOf = (g: UsageGroup) => JSON.stringify(KEY_COLUMNS.map((k) => g[k]));
  const combos = new Map<string, UsageGroup>(byKey ? groups.map((g) => [keyOf(g), g]) : [[keyOf(emptyKey()), emptyKey()]]);
  if (combos.size * starts.length > USAGE_LIMITS.groups) {
    throw new UsageTooLargeError(
      `Filling empty buckets would give ${combos.size * starts.length} groups, more than ${USAGE_LIMITS.groups}; narrow the filter or use a coarser bucket.`,
      'groups', combos.size * starts.length, USAGE_LIMITS.groups,
    );
  }
  const have = new Map(groups.map((g) => [`${keyOf(g)} ${g.bucketStart}`, g]));
  return [...combos.entries()].flatMap(([key, g]) =>
    starts.map((start, n) => have.get(`${key} ${start}`) ?? { ...g, bucketStart: start, bucketEnd: ends[n]!, figures: figuresOf(ZERO_FIGURES) }));
}

function emptyKey(): UsageGroup {
  return { initiatorId: null, model: null, provider: null, providerName: null, client: null, credentialKind: null, bucketStart: null, bucketEnd: null, figures: figuresOf(ZERO_FIGURES) };
}

/** Exact comparison of decimal texts (token sums, USD amounts) without floats. */
function compareDecimal(a: string, b: string): number {
  const scale = (s: string) => {
    const [whole, frac = ''] = s.replace('-', '').split('.');
    return (BigInt(whole! + frac.padEnd(6, '0')) * (s.startsWith('-') ? -1n : 1n));
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
  const primary = field === 'BUCKET' ? () => 0 : (a: UsageGroup, b: UsageGroup) => SORT_KEYS[field]!(a.figures, b.figures);
  return [...groups].sort((a, b) => sign * primary(a, b) || (field === 'BUCKET' ? sign * byKey(a, b) : byKey(a, b)));
}
