import type { Queryable } from '../../db/db.ts';
import { named, type SqlFragment, sql } from '../../db/sql.ts';
import { usdFromMicros } from './money.ts';
import { COST_AGGREGATES, COST_SOURCES, type CostRow, type CostSourceName, interceptionCostsSql, type PriceBook, pricingNeeds } from './priced-usages.ts';

/** What one price source priced within a cost: usage rows, their tokens, and their amount in USD. */
export interface CostSourceShare {
  source: CostSourceName;
  usages: number;
  tokens: string;
  amount: string;
}

/**
 * What a set of token usages cost, as exact decimal USD text. `source` says where the priced
 * figures came from: Coder's recorded per-row cost, the price book (overrides, Coder's price
 * table, package defaults), or both; `sources` splits them by each source (src/prices/resolve.ts
 * has the precedence). Unpriced usages add nothing to the amounts and are counted instead.
 */
export interface Cost {
  total: string;
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  /** What the cache reads would have cost at the input price, minus what they did cost. */
  cacheSavings: string;
  unpricedRequests: number;
  unpricedTokens: string;
  source: 'RECORDED' | 'PRICE_BOOK' | 'MIXED' | 'NONE';
  /** The sources that priced anything, in precedence order; their amounts add up to `total`. */
  sources: CostSourceShare[];
}

export function costOf(r: CostRow): Cost {
  return {
    total: usdFromMicros(r.costTotal),
    input: usdFromMicros(r.costInput),
    output: usdFromMicros(r.costOutput),
    cacheRead: usdFromMicros(r.costCacheRead),
    cacheWrite: usdFromMicros(r.costCacheWrite),
    cacheSavings: usdFromMicros(r.costSaved),
    unpricedRequests: r.unpricedRequests,
    unpricedTokens: integerText(r.unpricedTokens),
    source: r.recordedRows > 0 ? (r.bookRows > 0 ? 'MIXED' : 'RECORDED') : r.bookRows > 0 ? 'PRICE_BOOK' : 'NONE',
    sources: sourcesOf(r.sourceShares ?? null),
  };
}

/** CostRow.sourceShares (usages, tokens, micro-dollars per source, in COST_SOURCES order) → the sources that priced anything. */
function sourcesOf(flat: string[] | null): CostSourceShare[] {
  if (!flat) return [];
  return COST_SOURCES.flatMap(({ name }, n) => {
    const [usages, tokens, amount] = flat.slice(3 * n, 3 * n + 3);
    return Number(usages) > 0 ? [{ source: name, usages: Number(usages), tokens: integerText(tokens), amount: usdFromMicros(amount) }] : [];
  });
}

export const ZERO_COST: Readonly<Cost> = Object.freeze(costOf({
  costTotal: '0', costInput: '0', costOutput: '0', costCacheRead: '0', costCacheWrite: '0', costSaved: '0',
  unpricedRequests: 0, unpricedTokens: '0', recordedRows: 0, bookRows: 0,
}));

/** numeric text of an integral value (`12`, `12.0`) → `12`. */
export function integerText(numeric: string): string {
  const dot = numeric.indexOf('.');
  return dot < 0 ? numeric : numeric.slice(0, dot);
}

/**
 * The cost of each group of interceptions: `members` yields rows `(grp text, id, provider,
 * model, started_at)` and must already apply the caller's visibility. Two statements whatever
 * the number of groups (what needs pricing, then the sums); groups without usages cost zero.
 */
export async function costsByGroup(db: Queryable, book: PriceBook, members: SqlFragment, groups: readonly string[]): Promise<Map<string, Cost>> {
  const out = new Map<string, Cost>(groups.map((g) => [g, ZERO_COST]));
  if (groups.length === 0) return out;
  const { models, recorded } = await pricingNeeds(db, members, await book.capabilities());
  if (models.length === 0) return out;
  const periods = await book.periodsFor(models);
  const rows = await db.query<CostRow & { grp: string }>(
    named('usage.costsByGroup')`
      WITH m AS (${members})
      SELECT m.grp, ${COST_AGGREGATES}
        FROM m JOIN (${interceptionCostsSql(sql`SELECT DISTINCT ON (id) * FROM m`, periods, recorded)}) c ON c.id = m.id
       GROUP BY m.grp`,
  );
  for (const r of rows) out.set(r.grp, costOf(r));
  return out;
}
