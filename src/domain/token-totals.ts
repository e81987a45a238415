import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';

/**
 * Token usage summed over a set of interceptions (an agentic action, a thread, a session).
 *
 * Counters are decimal integer text: the columns are bigint and their sums are numeric in SQL, so
 * a JS number would lose exactness past 2^53 and GraphQL's Int past 2^31. Each surface converts
 * (REST prints the text as a JSON number, GraphQL as its 64-bit scalar).
 */
export interface TokenTotals {
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  /**
   * Every usage's metadata object walked, nested keys flattened with `.`, integer leaves summed
   * per key (everything else skipped), e.g. `{"cache":{"ephemeral_5m_input_tokens":120}}` gives
   * `{"cache.ephemeral_5m_input_tokens":"120"}`. Values are decimal integer text as above.
   */
  metadata: Record<string, string>;
}

export const ZERO_TOTALS: Readonly<TokenTotals> = Object.freeze({ input: '0', output: '0', cacheRead: '0', cacheWrite: '0', metadata: {} });


/**
 * Sums token usages per group in ONE statement, whatever the number of groups.
 *
 * `name` names the statement after what is summed (`tokenTotals.sessions`, …). `source` is a fragment yielding rows `(grp text, interception_id uuid)`: which interceptions count
 * towards which group. It must already apply the caller's visibility conditions (the callers in
 * this folder build it from `interceptionConditions`). Groups without usages get zero totals.
 * The metadata walk is a recursive CTE rather than a SQL function so that it also works over a
 * read-only Coder database where nothing may be created. It descends only into objects (a
 * WHERE, not jsonb_each over an empty object for every leaf), casts each number once, and
 * groups paths in byte order (COLLATE "C", the order Go sorts map keys in, and cheaper than a
 * linguistic collation): 25-30% less time for a session's or a 50-session page's totals at 1M
 * interceptions (3.8 -> 2.8 ms, 16.4 -> 12.7 ms).
 */
export async function tokenTotalsBySource(
  db: Queryable,
  name: string,
  source: SqlFragment,
  groups: readonly string[],
): Promise<Map<string, TokenTotals>> {
  const rows = await db.query<TotalsColumns & { grp: string }>(named(name)`
    WITH RECURSIVE ${tokenTotalsCtes(source)}
    SELECT grp, ${TOTALS_COLUMNS} FROM totals`);
  const out = new Map<string, TokenTotals>(groups.map((g) => [g, { ...ZERO_TOTALS, metadata: {} }]));
  for (const r of rows) out.set(r.grp, readTotals(r));
  return out;
}

/**
 * The CTEs of tokenTotalsBySource (`src … totals`, names prefixed with `prefix`), for statements
 * that read token totals beside other rows: the caller writes `WITH RECURSIVE` and joins
 * `<prefix>totals` on `grp`, selecting TOTALS_COLUMNS (each group's row, absent for a group
 * without usages: readTotals(null) gives zeros).
 */
export function tokenTotalsCtes(source: SqlFragment, prefix = ''): SqlFragment {
  const [src, u, sums, walk, leaves, meta, totals] = ['src', 'u', 'sums', 'walk', 'leaves', 'meta', 'totals'].map((n) => sql.ident(`${prefix}${n}`));
  return sql`${src} AS (${source}),
     ${u} AS (
       SELECT src.grp, t.input_tokens, t.output_tokens, t.cache_read_input_tokens, t.cache_write_input_tokens, t.metadata
         FROM ${src} src JOIN aibridge_token_usages t ON t.interception_id = src.interception_id
     ),
     ${sums} AS (
       SELECT grp, sum(input_tokens) AS input, sum(output_tokens) AS output,
              sum(cache_read_input_tokens) AS cache_read, sum(cache_write_input_tokens) AS cache_write
         FROM ${u} GROUP BY grp
     ),
     ${walk}(grp, path, val) AS (
       SELECT u.grp, e.key, e.value FROM ${u} u CROSS JOIN LATERAL jsonb_each(u.metadata) e WHERE jsonb_typeof(u.metadata) = 'object'
       UNION ALL
       SELECT w.grp, w.path || '.' || e.key, e.value FROM ${walk} w CROSS JOIN LATERAL jsonb_each(w.val) e WHERE jsonb_typeof(w.val) = 'object'
     ),
     ${leaves} AS (
       SELECT grp, path COLLATE "C" AS path, sum(n) AS total
         FROM (SELECT grp, path, (val #>> '{}')::numeric AS n FROM ${walk} WHERE jsonb_typeof(val) = 'number') l
        WHERE n = trunc(n) GROUP BY 1, 2
     ),
     ${meta} AS (
       SELECT grp, array_agg(path ORDER BY path) AS keys, array_agg(total::text ORDER BY path) AS vals FROM ${leaves} GROUP BY grp
     ),
     ${totals} AS MATERIALIZED (
       SELECT sums.grp, sums.input::text AS input, sums.output::text AS output, sums.cache_read::text AS "cacheRead",
              sums.cache_write::text AS "cacheWrite", meta.keys AS "metaKeys", meta.vals AS "metaValues"
         FROM ${sums} sums LEFT JOIN ${meta} meta ON meta.grp = sums.grp
     )`;
}

/** The columns of a `totals` CTE row (readTotals reads them). */
export const TOTALS_COLUMNS = sql`input, output, "cacheRead", "cacheWrite", "metaKeys", "metaValues"`;

export interface TotalsColumns {
  input: string | null;
  output: string | null;
  cacheRead: string | null;
  cacheWrite: string | null;
  metaKeys: string[] | null;
  metaValues: string[] | null;
}

/** TokenTotals from a `totals` row; zeros where the group had no usages (no row: null columns). */
export function readTotals(r: TotalsColumns | null): TokenTotals {
  if (!r || r.input === null) return { ...ZERO_TOTALS, metadata: {} };
  // fromEntries defines own properties, so even a `__proto__` key stays a plain key.
  const metadata = Object.fromEntries((r.metaKeys ?? []).map((k, i) => [k, integerText(r.metaValues![i])]));
  return {
    input: integerText(r.input),
    output: integerText(r.output!),
    cacheRead: integerText(r.cacheRead!),
    cacheWrite: integerText(r.cacheWrite!),
    metadata,
  };
}

/** numeric text of an integral value (`12`, `12.0`, `-3`) → plain integer text (`12`, `-3`). */
function integerText(numeric: string): string {
  const dot = numeric.indexOf('.');
  return dot < 0 ? numeric : numeric.slice(0, dot);
}

/**
 * Token totals of each interception on its own, by id. Callers pass only ids of interceptions
 * the viewer may see (rows of a visible list, or checked by a DataLoader's parent).
 */
export function tokenTotalsOfInterceptions(db: Queryable, ids: readonly string[]): Promise<Map<string, TokenTotals>> {
  return tokenTotalsBySource(db, 'tokenTotals.interceptions', sql`SELECT x::text AS grp, x AS interception_id FROM unnest(${ids}::uuid[]) x`, ids);
}
