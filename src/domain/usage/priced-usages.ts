import type { Capabilities } from '../../db/capabilities.ts';
import type { Queryable } from '../../db/db.ts';
import { named, type SqlFragment, sql } from '../../db/sql.ts';
import type { ModelKey, PriceOrigin, PricePeriod } from '../../prices/period.ts';

/** The optional Coder parts pricing depends on: recorded per-row cost and Coder's price table. */
export type PricingCapabilities = Pick<Capabilities, 'tokenCosts' | 'modelPrices'>;

/**
 * Where prices come from (src/prices/book.ts): the gateway's overrides, Coder's price table and
 * the package's defaults, and which optional Coder parts the database has (the schema probe's
 * answer, detected once per connection: no statement here reads the catalog).
 */
export interface PriceBook {
  periodsFor(models: readonly ModelKey[]): Promise<PricePeriod[]>;
  capabilities(): Promise<PricingCapabilities>;
}

/**
 * The sources a priced usage row can come from, highest precedence first, with the one-letter
 * code the SQL below marks each row with (`src`).
 */
export const COST_SOURCES = [
  { code: 'R', name: 'RECORDED' },
  { code: 'O', name: 'OVERRIDE' },
  { code: 'C', name: 'CODER_PRICE_TABLE' },
  { code: 'P', name: 'PACKAGE' },
] as const;
export type CostSourceName = (typeof COST_SOURCES)[number]['name'];

/** The figures of one source in a `shares` array, in this order. */
const SHARE_FIGURES = COST_SOURCES.flatMap((s) => [{ code: s.code, figure: 'usages' }, { code: s.code, figure: 'tokens' }, { code: s.code, figure: 'amount' }] as const);

const ORIGIN_CODE: Record<PriceOrigin, string> = { override: 'O', coder: 'C', package: 'P' };

/**
 * What a set of interceptions needs priced: its distinct (provider, model) pairs, and whether
 * rows carry Coder's recorded per-row cost (`cost_micros` and the price snapshot columns exist
 * only in newer Coder databases; `caps` says, from the schema probe). One statement.
 * `members` yields interception rows with `provider` and `model` columns: use it for small sets.
 */
export async function pricingNeeds(db: Queryable, members: SqlFragment, caps: PricingCapabilities): Promise<{ models: ModelKey[]; recorded: boolean }> {
  const rows = await db.query<ModelKey>(named('usage.models')`SELECT DISTINCT i.provider, i.model FROM (${members}) i`);
  return { models: rows.map((r) => ({ provider: r.provider, model: r.model })), recorded: caps.tokenCosts };
}

/**
 * Every (provider, model) pair that may occur in the table, for pricing large sets: the distinct
 * providers and models found by walking their indexes (one probe per distinct value, where a
 * DISTINCT over the rows would read them all), crossed. Pairs that never occur cost a price
 * lookup in JS and join nothing. Nothing here reaches the caller, so visibility does not apply.
 */
export async function pricingNeedsOfTable(db: Queryable, caps: PricingCapabilities): Promise<{ models: ModelKey[]; recorded: boolean }> {
  const [row] = await db.query<{ providers: string[]; models: string[] }>(
    named('usage.modelsOfTable')`
      WITH RECURSIVE m(v) AS (
        SELECT min(model) FROM aibridge_interceptions
        UNION ALL
        SELECT (SELECT min(model) FROM aibridge_interceptions WHERE model > m.v) FROM m WHERE m.v IS NOT NULL
      ), p(v) AS (
        SELECT min(provider) FROM aibridge_interceptions
        UNION ALL
        SELECT (SELECT min(provider) FROM aibridge_interceptions WHERE provider > p.v) FROM p WHERE p.v IS NOT NULL
      )
      SELECT ARRAY(SELECT v FROM p WHERE v IS NOT NULL) AS providers, ARRAY(SELECT v FROM m WHERE v IS NOT NULL) AS models`,
  );
  return {
    models: row.providers.flatMap((provider) => row.models.map((model) => ({ provider, model }))),
    recorded: caps.tokenCosts,
  };
}

const text = (v: bigint | null) => (v === null ? null : v.toString());

/**
 * The price periods as a relation `price(provider, model, valid_from, valid_to, in_p, out_p,
 * cr_p, cw_p, tier_above, in_t, out_t, cr_t, cw_t, origin)`: base prices, the long-context tier
 * and the code (COST_SOURCES) of the layer that set them.
 */
export function priceRelation(periods: readonly PricePeriod[]): SqlFragment {
  const col = (f: (p: PricePeriod) => bigint | null | undefined) => periods.map((p) => text(f(p) ?? null));
  return sql`SELECT * FROM unnest(
      ${periods.map((p) => p.provider)}::text[], ${periods.map((p) => p.model)}::text[],
      ${periods.map((p) => p.from ?? '-infinity')}::timestamptz[], ${periods.map((p) => p.to ?? 'infinity')}::timestamptz[],
      ${col((p) => p.input)}::bigint[], ${col((p) => p.output)}::bigint[], ${col((p) => p.cacheRead)}::bigint[], ${col((p) => p.cacheWrite)}::bigint[],
      ${col((p) => p.tier?.above)}::bigint[], ${col((p) => p.tier?.input)}::bigint[], ${col((p) => p.tier?.output)}::bigint[],
      ${col((p) => p.tier?.cacheRead)}::bigint[], ${col((p) => p.tier?.cacheWrite)}::bigint[],
      ${periods.map((p) => ORIGIN_CODE[p.origin])}::text[]
    ) AS price(provider, model, valid_from, valid_to, in_p, out_p, cr_p, cw_p, tier_above, in_t, out_t, cr_t, cw_t, origin)`;
}

/**
 * One row per token usage of `members` (interception rows with id, provider, model, started_at
 * and whatever else the caller selects, exposed as `i`), with the usage's id, the prices applied
 * (micro-USD per million) and its cost in integer micro-dollars per kind of token. Each kind is floor(tokens × price / 1,000,000), Coder's own formula for
 * `cost_micros`, so every figure is an exact integer and sums add up at every level.
 *
 * Per row: Coder's recorded cost when the row has one (`how` = 'R', components from the row's
 * price snapshot), else the price in force when the interception started (`how` = 'B'), else
 * unpriced (`how` NULL: no price, or a null price for a kind of token the row has). `src` says
 * which source priced the row (a COST_SOURCES code: R, or the book layer O, C or P; NULL when
 * unpriced). Coder's `input_tokens` exclude cache reads and writes, so each column meets its own
 * price; a long-context tier is chosen by the whole prompt (input + cache tokens), as the
 * package does.
 */
export function pricedUsagesSql(members: SqlFragment, periods: readonly PricePeriod[], recorded: boolean, countUnpriced = false): SqlFragment {
  const rec = recorded
    ? sql`t.cost_micros AS cost, t.input_price_micros AS in_p, t.output_price_micros AS out_p,
          t.cache_read_price_micros AS cr_p, t.cache_write_price_micros AS cw_p`
    : sql`NULL::bigint AS cost, NULL::bigint AS in_p, NULL::bigint AS out_p, NULL::bigint AS cr_p, NULL::bigint AS cw_p`;
  return sql`
    SELECT i.*, t.id AS usage_id, t.input_tokens AS tin, t.output_tokens AS tout, t.cache_read_input_tokens AS tcr,
           t.cache_write_input_tokens AS tcw, x.how, CASE x.how WHEN 'R' THEN 'R' WHEN 'B' THEN p.origin END AS src, x.in_p, x.out_p, x.cr_p, x.cw_p,
           CASE WHEN x.how IS NOT NULL THEN ${micros(sql`t.input_tokens`, sql`x.in_p`)} END AS c_in,
           CASE WHEN x.how IS NOT NULL THEN ${micros(sql`t.output_tokens`, sql`x.out_p`)} END AS c_out,
           CASE WHEN x.how IS NOT NULL THEN ${micros(sql`t.cache_read_input_tokens`, sql`x.cr_p`)} END AS c_cr,
           CASE WHEN x.how IS NOT NULL THEN ${micros(sql`t.cache_write_input_tokens`, sql`x.cw_p`)} END AS c_cw,
           CASE WHEN x.how = 'R' THEN r.cost END AS c_rec,
           CASE WHEN x.how IS NOT NULL
                THEN ${micros(sql`t.cache_read_input_tokens`, sql`x.in_p`)} - ${micros(sql`t.cache_read_input_tokens`, sql`x.cr_p`)} END AS c_saved,
           -- Counts each interception with unpriced usages once, without a DISTINCT (which would
           -- force sorting every row): only its first unpriced usage says so. A probe per unpriced
           -- row, so only when asked for.
           ${countUnpriced ? sql`x.how IS NULL AND NOT EXISTS (
             SELECT 1 FROM aibridge_token_usages t2
              WHERE t2.interception_id = t.interception_id AND t2.id < t.id AND ${unpricedRow(sql`t2`, recorded)}
           )` : sql`NULL::boolean`} AS first_unpriced
      FROM (${members}) i
      JOIN aibridge_token_usages t ON t.interception_id = i.id
      CROSS JOIN LATERAL (SELECT ${rec}) r
      LEFT JOIN (${priceRelation(periods)}) p
        ON p.provider = i.provider AND p.model = i.model AND i.started_at >= p.valid_from AND i.started_at < p.valid_to
      CROSS JOIN LATERAL (
        SELECT CASE WHEN r.cost IS NOT NULL THEN 'R' WHEN ${booked(sql`t`)} THEN 'B' END AS how,
               CASE WHEN r.cost IS NOT NULL THEN coalesce(r.in_p, 0) WHEN ${long(sql`t`)} THEN p.in_t ELSE p.in_p END AS in_p,
               CASE WHEN r.cost IS NOT NULL THEN coalesce(r.out_p, 0) WHEN ${long(sql`t`)} THEN p.out_t ELSE p.out_p END AS out_p,
               CASE WHEN r.cost IS NOT NULL THEN coalesce(r.cr_p, 0) WHEN ${long(sql`t`)} THEN coalesce(p.cr_t, 0) ELSE coalesce(p.cr_p, 0) END AS cr_p,
               CASE WHEN r.cost IS NOT NULL THEN coalesce(r.cw_p, 0) WHEN ${long(sql`t`)} THEN coalesce(p.cw_t, 0) ELSE coalesce(p.cw_p, 0) END AS cw_p
      ) x`;
}

/**
 * floor(tokens × price / 1,000,000) as bigint. Both factors below 2^31 (every real row and
 * price) take plain 64-bit arithmetic, several times cheaper than numeric over a million rows,
 * and sums of bigint stay exact (PostgreSQL accumulates them in 128 bits); anything larger
 * goes through numeric. Both are non-negative, so integer division is the floor.
 */
const micros = (tokens: SqlFragment, price: SqlFragment) =>
  sql`CASE WHEN ${tokens} < 2147483648 AND ${price} < 2147483648 THEN ${tokens} * ${price} / 1000000
           ELSE div(${tokens}::numeric * ${price}, 1000000)::bigint END`;

/** Whether usage row `t` is a long-context request under price `p` (its whole prompt above the tier). */
const long = (t: SqlFragment) =>
  sql`(p.tier_above IS NOT NULL AND ${t}.input_tokens + ${t}.cache_read_input_tokens + ${t}.cache_write_input_tokens > p.tier_above)`;

/** Whether price `p` (tier chosen for row `t`) knows every price row `t` needs. */
const booked = (t: SqlFragment) => sql`coalesce(CASE WHEN ${long(t)}
    THEN p.in_t IS NOT NULL AND p.out_t IS NOT NULL AND (${t}.cache_read_input_tokens = 0 OR p.cr_t IS NOT NULL)
         AND (${t}.cache_write_input_tokens = 0 OR p.cw_t IS NOT NULL)
    ELSE p.in_p IS NOT NULL AND p.out_p IS NOT NULL AND (${t}.cache_read_input_tokens = 0 OR p.cr_p IS NOT NULL)
         AND (${t}.cache_write_input_tokens = 0 OR p.cw_p IS NOT NULL) END, false)`;

/** Row `t` (of an interception priced by `p`) has neither a recorded cost nor a book price. */
const unpricedRow = (t: SqlFragment, recorded: boolean) =>
  sql`${recorded ? sql`${t}.cost_micros IS NULL AND ` : sql.empty}NOT ${booked(t)}`;

/**
 * Per interception of `members`: token sums and costs in micro-dollars (numeric), whether any of
 * its usages is unpriced and how many tokens those hold, and how many usages were priced from
 * Coder's recorded cost or from the price book, and per source (`shares`, see sourceShares).
 * Interceptions without usages have no row. The total is the recorded cost where there is one
 * (it wins, even over its own components), else the sum of the components.
 */
export function interceptionCostsSql(members: SqlFragment, periods: readonly PricePeriod[], recorded: boolean): SqlFragment {
  return sql`
    SELECT u.id, sum(u.tin) AS tin, sum(u.tout) AS tout, sum(u.tcr) AS tcr, sum(u.tcw) AS tcw,
           coalesce(sum(coalesce(u.c_rec, u.c_in + u.c_out + u.c_cr + u.c_cw)), 0) AS c_total,
           coalesce(sum(u.c_in), 0) AS c_in, coalesce(sum(u.c_out), 0) AS c_out,
           coalesce(sum(u.c_cr), 0) AS c_cr, coalesce(sum(u.c_cw), 0) AS c_cw, coalesce(sum(u.c_saved), 0) AS c_saved,
           bool_or(u.how IS NULL) AS unpriced,
           coalesce(sum(u.tin + u.tout + u.tcr + u.tcw) FILTER (WHERE u.how IS NULL), 0) AS unpriced_tokens,
           count(*) FILTER (WHERE u.how = 'R') AS recorded_rows, count(*) FILTER (WHERE u.how = 'B') AS book_rows,
           ${sharesOf(sql`u`)} AS shares
      FROM (${pricedUsagesSql(members, periods, recorded)}) u
     GROUP BY u.id`;
}

/** Aggregates over rows of interceptionCostsSql (alias `c`, possibly NULL-extended), named as CostRow. */
export const COST_AGGREGATES = sql`
  coalesce(sum(c.c_total), 0)::text AS "costTotal",
  coalesce(sum(c.c_in), 0)::text AS "costInput", coalesce(sum(c.c_out), 0)::text AS "costOutput",
  coalesce(sum(c.c_cr), 0)::text AS "costCacheRead", coalesce(sum(c.c_cw), 0)::text AS "costCacheWrite",
  coalesce(sum(c.c_saved), 0)::text AS "costSaved",
  count(*) FILTER (WHERE c.unpriced)::int AS "unpricedRequests",
  coalesce(sum(c.unpriced_tokens), 0)::text AS "unpricedTokens",
  coalesce(sum(c.recorded_rows), 0)::int AS "recordedRows",
  coalesce(sum(c.book_rows), 0)::int AS "bookRows",
  ARRAY[${sql.join(SHARE_FIGURES.map((_, n) => sql`coalesce(sum(c.shares[${n + 1}::int]), 0)`), sql`, `)}]::text[] AS "sourceShares"`;

/** The columns COST_AGGREGATES yields (numeric text, micro-dollars). */
export interface CostRow {
  costTotal: string;
  costInput: string;
  costOutput: string;
  costCacheRead: string;
  costCacheWrite: string;
  costSaved: string;
  unpricedRequests: number;
  unpricedTokens: string;
  recordedRows: number;
  bookRows: number;
  /**
   * Per source, in COST_SOURCES order: usages, tokens and micro-dollars it priced (numeric text,
   * 3 × 4 values). Absent or null where a statement did not compute it.
   */
  sourceShares?: string[] | null;
}

/**
 * Per source (COST_SOURCES order): how many usage rows of `u` (rows of pricedUsagesSql) it
 * priced, their tokens and their cost in micro-dollars (the recorded cost for recorded rows):
 * a numeric[] of 12, aggregated over `u`'s group. The amounts add up to the total cost.
 */
function sharesOf(u: SqlFragment): SqlFragment {
  const figure = (code: string, f: 'usages' | 'tokens' | 'amount') => {
    const mine = sql`${u}.src = ${code}::text`;
    if (f === 'usages') return sql`count(*) FILTER (WHERE ${mine})`;
    if (f === 'tokens') return sql`coalesce(sum(${u}.tin + ${u}.tout + ${u}.tcr + ${u}.tcw) FILTER (WHERE ${mine}), 0)`;
    return sql`coalesce(sum(coalesce(${u}.c_rec, ${u}.c_in + ${u}.c_out + ${u}.c_cr + ${u}.c_cw)) FILTER (WHERE ${mine}), 0)`;
  };
  return sql`ARRAY[${sql.join(SHARE_FIGURES.map((s) => figure(s.code, s.figure)), sql`, `)}]::numeric[]`;
}

/** The "sourceShares" column of CostRow aggregated straight over usage rows aliased `u` (for reports grouping usages directly). */
const SOURCE_SHARES_OF_USAGES = sql`${sharesOf(sql`u`)}::text[] AS "sourceShares"`;

/**
 * Token sums and CostRow's columns aggregated over rows `u` of pricedUsagesSql (with its
 * `first_unpriced` column), for the reports that group usages directly. The split by price
 * source (12 filtered sums per group) only when asked for: NULL otherwise.
 */
export const usageSums = (bySource: boolean) => sql`
  sum(u.tin)::text AS input, sum(u.tout)::text AS output, sum(u.tcr)::text AS "cacheRead", sum(u.tcw)::text AS "cacheWrite",
  sum(coalesce(u.c_rec, u.c_in + u.c_out + u.c_cr + u.c_cw))::text AS "costTotal",
  sum(u.c_in)::text AS "costInput", sum(u.c_out)::text AS "costOutput",
  sum(u.c_cr)::text AS "costCacheRead", sum(u.c_cw)::text AS "costCacheWrite", sum(u.c_saved)::text AS "costSaved",
  count(*) FILTER (WHERE u.first_unpriced)::int AS "unpricedRequests",
  sum(u.tin + u.tout + u.tcr + u.tcw) FILTER (WHERE u.how IS NULL)::text AS "unpricedTokens",
  count(*) FILTER (WHERE u.how = 'R')::int AS "recordedRows", count(*) FILTER (WHERE u.how = 'B')::int AS "bookRows",
  ${bySource ? SOURCE_SHARES_OF_USAGES : sql`NULL::text[] AS "sourceShares"`}`;

/** usageSums' columns read from the CTE `u` that computed them. */
export const USAGE_SUM_COLUMNS = sql`u.input, u.output, u."cacheRead", u."cacheWrite", u."costTotal", u."costInput", u."costOutput",
  u."costCacheRead", u."costCacheWrite", u."costSaved", u."unpricedRequests", u."unpricedTokens", u."recordedRows", u."bookRows", u."sourceShares"`;
