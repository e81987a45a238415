import type { Viewer } from '../../auth/viewer.ts';
import type { Queryable } from '../../db/db.ts';
import { named, type SqlFragment, sql } from '../../db/sql.ts';
import { interceptionConditions } from '../interception-filter.ts';
import { type Cost, costOf, integerText } from '../usage/cost.ts';
import { rethrowZoneError, UsageTooLargeError } from '../usage/errors.ts';
import { type CostRow, type PriceBook, pricedUsagesSql, pricingNeedsOfTable, USAGE_SUM_COLUMNS, usageSums } from '../usage/priced-usages.ts';
import { USAGE_LIMITS } from '../usage/query.ts';
import { bucketEnd, bucketSeries, bucketStart, checkQuery, fillEmptyBuckets } from '../usage/report.ts';
import { TOOL_DIMENSIONS, type ToolDimension, type ToolOrderField, type ToolUsageQuery } from './query.ts';

/**
 * Figures of a set of tool calls. Calls, errors and injected calls count calls; requests,
 * sessions, tokens and cost are those of the interceptions that made the calls, each
 * interception once per group it made calls in (so an interception calling two tools counts
 * fully under each tool, and groups can add up to more than the totals, which count it once).
 */
export interface ToolUsageFigures {
  calls: number;
  /** Calls with a non-empty invocation error (only injected tools report them). */
  invocationErrors: number;
  injectedCalls: number;
  /** Interceptions that made the calls. */
  requests: number;
  /** Distinct (session id, initiator) pairs of those interceptions. */
  sessions: number;
  inputTokens: string;
  outputTokens: string;
  cacheReadTokens: string;
  cacheWriteTokens: string;
  cost: Cost;
}

export interface ToolUsageKey {
  /** MCP server URL; '' for tools the client defined (no server recorded: NULL or empty). */
  serverUrl: string | null;
  tool: string | null;
  injected: boolean | null;
  model: string | null;
  initiatorId: string | null;
  /** No client and 'Unknown' are one key, 'Unknown', as REST matches them. */
  client: string | null;
  /** Bucket bounds as PostgreSQL timestamp text (UTC); null without a bucket. */
  bucketStart: string | null;
  bucketEnd: string | null;
}

export interface ToolUsageGroup extends ToolUsageKey {
  figures: ToolUsageFigures;
}

export interface ToolUsageReport {
  /** null when not asked for (ToolUsageParts.totals). */
  totals: ToolUsageFigures | null;
  groups: ToolUsageGroup[];
}

/** What to compute (all by default): distinct sessions sort, tokens and cost join the token usages. */
export interface ToolUsageParts {
  totals: boolean;
  groups: boolean;
  sessions: boolean;
  usages: boolean;
  /** Cost.unpricedRequests (a probe per unpriced usage row); needs `usages`. */
  unpriced: boolean;
}

export const ALL_TOOL_PARTS: Readonly<ToolUsageParts> = Object.freeze({ totals: true, groups: true, sessions: true, usages: true, unpriced: true });

const KEY_COLUMNS = ['serverUrl', 'tool', 'injected', 'model', 'initiatorId', 'client'] as const;
type KeyColumn = (typeof KEY_COLUMNS)[number];

type KeyType = 'text' | 'boolean' | 'timestamptz';

/** Each dimension's key column and expression over the call `tu` and its interception `i`. */
const DIMENSION_SQL: Record<ToolDimension, { column: KeyColumn; expr: SqlFragment; type: KeyType }> = {
  SERVER: { column: 'serverUrl', expr: sql`coalesce(tu.server_url, '')`, type: 'text' },
  TOOL: { column: 'tool', expr: sql`tu.tool`, type: 'text' },
  INJECTED: { column: 'injected', expr: sql`tu.injected`, type: 'boolean' },
  MODEL: { column: 'model', expr: sql`i.model`, type: 'text' },
  INITIATOR: { column: 'initiatorId', expr: sql`i.initiator_id::text`, type: 'text' },
  CLIENT: { column: 'client', expr: sql`coalesce(i.client, 'Unknown')`, type: 'text' },
};

const NULL_OF: Record<KeyType, SqlFragment> = { text: sql`NULL::text`, boolean: sql`NULL::boolean`, timestamptz: sql`NULL::timestamptz` };

interface FigureRow extends CostRow {
  calls: number;
  invocationErrors: number;
  injectedCalls: number;
  requests: number;
  sessions: number;
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
}

type ReportRow = FigureRow & ToolUsageKey & { isTotal: boolean; series: string[] | null; seriesEnds: string[] | null };

/** The parts an order needs whether or not it is shown. */
const ORDER_NEEDS: Partial<Record<ToolOrderField, keyof ToolUsageParts>> = {
  SESSIONS: 'sessions', INPUT_TOKENS: 'usages', OUTPUT_TOKENS: 'usages', TOTAL_TOKENS: 'usages', COST: 'usages',
};

/**
 * Tool calls of the interceptions the viewer may see that match the filter: totals, and figures
 * per group of the chosen dimensions and time bucket (by the interception's start). At most three
 * statements whatever the number of groups: which models need pricing (an index walk), the price
 * overrides (in the price book), and every figure in one statement. That statement reduces the
 * calls to one row per group and interception (what tokens and cost must count once), adds one
 * row per interception for the totals, and aggregates those rows and their token usages into
 * the groups.
 */
export async function toolUsageReport(db: Queryable, viewer: Viewer, book: PriceBook, q: ToolUsageQuery, asked: ToolUsageParts = ALL_TOOL_PARTS): Promise<ToolUsageReport> {
  const range = checkQuery(q);
  const grouped = q.groupBy.length > 0 || q.bucket !== undefined;
  const orderPart = q.orderBy ? ORDER_NEEDS[q.orderBy.field] : undefined;
  const want: ToolUsageParts = { ...asked, groups: asked.groups && grouped, ...(orderPart && asked.groups ? { [orderPart]: true } : {}) };
  if (want.unpriced) want.usages = true;
  if (!want.groups && !want.totals) return { totals: null, groups: [] };

  const { models, recorded } = want.usages ? await pricingNeedsOfTable(db, await book.capabilities()) : { models: [], recorded: false };
  const periods = models.length ? await book.periodsFor(models) : [];

  const zone = q.timeZone;
  // Only the chosen keys travel through the statement: the planner knows nothing of a CTE's
  // columns and takes each for hundreds of values, so every key column multiplies the groups it
  // expects (with all six, it sorted the distinct sessions where it now hashes them).
  const keys: { name: string; expr: SqlFragment; type: KeyType }[] = [
    ...(want.groups ? TOOL_DIMENSIONS.filter((d) => q.groupBy.includes(d)) : []).map((d) => ({ name: `k_${DIMENSION_SQL[d].column}`, ...DIMENSION_SQL[d] })),
    ...(want.groups && q.bucket ? [{ name: 'k_bucketStart', expr: bucketStart(q.bucket, sql`i.started_at`, zone), type: 'timestamptz' as const }] : []),
  ];
  const has = (name: string) => keys.some((k) => k.name === name);
  /** `a.k_x, ` for each key: nothing without keys. */
  const cols = (a: string) => sql.join(keys.map((k) => sql`${sql.ident(a)}.${sql.ident(k.name)}, `), sql.empty);
  const interception = sql`p.id, p.session_id, p.initiator_id, p.provider, p.model, p.started_at`;

  // Rows of m: per group and interception (isTotal false), and per interception (isTotal true).
  const members = sql.join([
    ...(want.groups ? [sql`SELECT ${cols('p')} FALSE AS "isTotal", ${interception}, p.calls, p.errors, p.injected FROM p`] : []),
    ...(want.totals
      ? [want.groups
        ? sql`SELECT ${sql.join(keys.map((k) => sql`${NULL_OF[k.type]}, `), sql.empty)} TRUE, ${interception}, sum(p.calls), sum(p.errors), sum(p.injected)
                FROM p GROUP BY p.id, p.session_id, p.initiator_id, p.provider, p.model, p.started_at`
        : sql`SELECT TRUE AS "isTotal", ${interception}, p.calls, p.errors, p.injected FROM p`]
      : []),
  ], sql` UNION ALL `);
  /** Key column `name` of g, or NULL when not grouped by it. */
  const key = (name: string, type: KeyType) => (has(name) ? sql`g.${sql.ident(name)}` : NULL_OF[type]);
  const sameGroup = (a: string, b: string) =>
    sql.join([...keys.map((k) => k.name), 'isTotal'].map((c) => sql`${sql.ident(a)}.${sql.ident(c)} IS NOT DISTINCT FROM ${sql.ident(b)}.${sql.ident(c)}`), sql` AND `);

  const series = want.groups && q.bucket && range
    ? sql`(SELECT array_agg(s.b::text ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)`
    : sql`NULL::text[]`;
  const seriesEnds = want.groups && q.bucket && range
    ? sql`(SELECT array_agg((${bucketEnd(q.bucket, sql`s.b`, zone)})::text ORDER BY s.b) FROM (${bucketSeries(q.bucket, range.from, range.to, zone)}) s)`
    : sql`NULL::text[]`;

  const usages = want.usages
    ? sql`, u AS (
        SELECT ${cols('u')} u."isTotal", ${usageSums(true)}
          FROM (${pricedUsagesSql(sql`SELECT * FROM m`, periods, recorded, want.unpriced)}) u
         GROUP BY ${cols('u')} u."isTotal")`
    : sql.empty;
  // Distinct sessions by hashing the (group, session, initiator) triples, then a count:
  // count(DISTINCT (a, b)) sorts each group's rows by a record comparison, several times slower.
  const sessions = want.sessions
    ? sql`, s AS (
        SELECT ${cols('d')} d."isTotal", count(*)::int AS sessions
          FROM (SELECT DISTINCT ${cols('m')} m."isTotal", m.session_id, m.initiator_id FROM m) d
         GROUP BY ${cols('d')} d."isTotal")`
    : sql.empty;

  let rows: ReportRow[];
  try {
    rows = await db.query<ReportRow>(
      named('tools.report')`
        WITH p AS (
          SELECT ${sql.join(keys.map((k) => sql`${k.expr} AS ${sql.ident(k.name)}, `), sql.empty)}
                 i.id, i.session_id, i.initiator_id, i.provider, i.model, i.started_at,
                 count(*) AS calls, count(*) FILTER (WHERE coalesce(tu.invocation_error, '') <> '') AS errors,
                 count(*) FILTER (WHERE tu.injected) AS injected
            FROM aibridge_interceptions i JOIN aibridge_tool_usages tu ON tu.interception_id = i.id
           WHERE ${interceptionConditions(viewer, q.filter)}
           GROUP BY ${sql.join(keys.map((k) => sql`${sql.ident(k.name)}, `), sql.empty)} i.id
        ), m AS (${members}), g AS (
          SELECT ${cols('m')} m."isTotal", sum(m.calls)::int AS calls, sum(m.errors)::int AS "invocationErrors",
                 sum(m.injected)::int AS "injectedCalls", count(*)::int AS requests
            FROM m GROUP BY ${cols('m')} m."isTotal"
        )${usages}${sessions}
        SELECT g."isTotal", g.calls, g."invocationErrors", g."injectedCalls", g.requests,
               ${sql.join(Object.values(DIMENSION_SQL).map(({ column, type }) => sql`${key(`k_${column}`, type)} AS ${sql.ident(column)}`), sql`, `)},
               ${key('k_bucketStart', 'timestamptz')} AS "bucketStart",
               ${has('k_bucketStart') ? bucketEnd(q.bucket!, sql`g."k_bucketStart"`, zone) : sql`NULL::timestamptz`} AS "bucketEnd",
               ${want.sessions ? sql`s.sessions,` : sql.empty}
               ${want.usages ? sql`${USAGE_SUM_COLUMNS},` : sql.empty}
               CASE WHEN row_number() OVER () = 1 THEN ${series} END AS series,
               CASE WHEN row_number() OVER () = 1 THEN ${seriesEnds} END AS "seriesEnds"
          FROM g
          ${want.sessions ? sql`LEFT JOIN s ON ${sameGroup('s', 'g')}` : sql.empty}
          ${want.usages ? sql`LEFT JOIN u ON ${sameGroup('u', 'g')}` : sql.empty}
         LIMIT ${USAGE_LIMITS.groups + 2}`,
    );
  } catch (err) {
    rethrowZoneError(err, zone);
  }
  const total = rows.find((r) => r.isTotal);
  const found = rows.filter((r) => !r.isTotal);
  if (found.length > USAGE_LIMITS.groups) {
    throw new UsageTooLargeError(
      `The tool usage query has more than ${USAGE_LIMITS.groups} groups; narrow the filter, use a coarser bucket or fewer dimensions.`,
      'groups', found.length, USAGE_LIMITS.groups,
    );
  }
  let groups = want.groups ? found.map(toGroup) : [];
  const first = rows[0];
  if (want.groups && q.bucket && range && first?.series) groups = fillEmptyBuckets(groups, first.series, first.seriesEnds!, q.groupBy.length > 0, keyOf, emptyGroup);
  groups = order(groups, q);
  return { totals: want.totals ? figuresOf(total ?? ZERO_ROW) : null, groups: q.first === undefined ? groups : groups.slice(0, q.first) };
}

const ZERO_ROW: FigureRow = {
  calls: 0, invocationErrors: 0, injectedCalls: 0, requests: 0, sessions: 0, input: '0', output: '0', cacheRead: '0', cacheWrite: '0',
  costTotal: '0', costInput: '0', costOutput: '0', costCacheRead: '0', costCacheWrite: '0', costSaved: '0', unpricedRequests: 0,
  unpricedTokens: '0', recordedRows: 0, bookRows: 0,
};

function figuresOf(row: FigureRow): ToolUsageFigures {
  // Groups without usages have no row in that aggregate, and figures not computed are absent: zero.
  const r: FigureRow = { ...ZERO_ROW, ...Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined)) };
  return {
    calls: r.calls,
    invocationErrors: r.invocationErrors,
    injectedCalls: r.injectedCalls,
    requests: r.requests,
    sessions: r.sessions,
    inputTokens: integerText(r.input),
    outputTokens: integerText(r.output),
    cacheReadTokens: integerText(r.cacheRead),
    cacheWriteTokens: integerText(r.cacheWrite),
    cost: costOf(r),
  };
}

const toGroup = (r: ReportRow): ToolUsageGroup => ({
  ...Object.fromEntries(KEY_COLUMNS.map((k) => [k, r[k]])) as Omit<ToolUsageKey, 'bucketStart' | 'bucketEnd'>,
  bucketStart: r.bucketStart,
  bucketEnd: r.bucketEnd,
  figures: figuresOf(r),
});

const keyOf = (g: ToolUsageKey) => JSON.stringify(KEY_COLUMNS.map((k) => g[k]));

const emptyGroup = (): ToolUsageGroup => ({
  ...Object.fromEntries(KEY_COLUMNS.map((k) => [k, null])) as Omit<ToolUsageKey, 'bucketStart' | 'bucketEnd'>, bucketStart: null, bucketEnd: null, figures: figuresOf(ZERO_ROW),
});

const big = (s: string) => BigInt(s);
/** Cost totals are decimal text with exactly six decimals: comparable as integers of micro-dollars. */
const micros = (usd: string) => BigInt(usd.replace('.', ''));
const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
const totalTokens = (f: ToolUsageFigures) => big(f.inputTokens) + big(f.outputTokens) + big(f.cacheReadTokens) + big(f.cacheWriteTokens);

/** Error rates compared exactly, cross-multiplied (groups without calls are set apart by `order`). */
const compareRates = (a: ToolUsageFigures, b: ToolUsageFigures) =>
  cmp(BigInt(a.invocationErrors) * BigInt(b.calls), BigInt(b.invocationErrors) * BigInt(a.calls));

const SORT_KEYS: Record<Exclude<ToolOrderField, 'BUCKET'>, (a: ToolUsageFigures, b: ToolUsageFigures) => number> = {
  CALLS: (a, b) => a.calls - b.calls,
  REQUESTS: (a, b) => a.requests - b.requests,
  SESSIONS: (a, b) => a.sessions - b.sessions,
  INVOCATION_ERRORS: (a, b) => a.invocationErrors - b.invocationErrors,
  ERROR_RATE: compareRates,
  INJECTED_CALLS: (a, b) => a.injectedCalls - b.injectedCalls,
  INPUT_TOKENS: (a, b) => cmp(big(a.inputTokens), big(b.inputTokens)),
  OUTPUT_TOKENS: (a, b) => cmp(big(a.outputTokens), big(b.outputTokens)),
  TOTAL_TOKENS: (a, b) => cmp(totalTokens(a), totalTokens(b)),
  COST: (a, b) => cmp(micros(a.cost.total), micros(b.cost.total)),
};

/** Ties (and the default order) go by bucket, then by the key columns, in byte order. */
function order(groups: ToolUsageGroup[], q: ToolUsageQuery): ToolUsageGroup[] {
  const byKey = (a: ToolUsageGroup, b: ToolUsageGroup) => {
    for (const k of ['bucketStart', ...KEY_COLUMNS] as const) {
      const x = String(a[k] ?? '');
      const y = String(b[k] ?? '');
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
  const field = q.orderBy?.field ?? 'BUCKET';
  const sign = q.orderBy?.direction === 'DESC' ? -1 : 1;
  if (field === 'BUCKET') return [...groups].sort((a, b) => sign * byKey(a, b));
  // Without calls a rate is undefined: such groups stay last whichever the direction.
  const rateless = (g: ToolUsageGroup) => (field === 'ERROR_RATE' && g.figures.calls === 0 ? 1 : 0);
  return [...groups].sort((a, b) => rateless(a) - rateless(b) || sign * SORT_KEYS[field](a.figures, b.figures) || byKey(a, b));
}
