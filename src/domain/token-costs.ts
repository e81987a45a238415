import type { Capabilities } from '../db/capabilities.ts';
import type { Queryable } from '../db/db.ts';
import { named } from '../db/sql.ts';
import { uuidsOnly } from './ids.ts';

/**
 * What a current Coder recorded with each token usage row: its cost and the prices it was
 * priced at. Only these columns are read here; which price source wins for cost analytics
 * (recorded cost first) is the analytics' business, not this read's.
 */
export interface RecordedCost {
  /** Micro-units (USD × 10⁶); null when the row was not priced. */
  costMicros: string | null;
  /** Prices in micro-units per million tokens when the row was recorded; null = unpriced. */
  inputPriceMicros: string | null;
  outputPriceMicros: string | null;
  cacheReadPriceMicros: string | null;
  cacheWritePriceMicros: string | null;
}

const UNRECORDED: RecordedCost = Object.freeze({
  costMicros: null,
  inputPriceMicros: null,
  outputPriceMicros: null,
  cacheReadPriceMicros: null,
  cacheWritePriceMicros: null,
});

/** Recorded costs of token usage rows by id, in the order asked: one statement, none where the columns do not exist. */
export async function recordedCostsOf(db: Queryable, caps: Capabilities, ids: readonly string[]): Promise<RecordedCost[]> {
  if (!caps.tokenCosts || ids.length === 0) return ids.map(() => UNRECORDED);
  const rows = await db.query<RecordedCost & { id: string }>(named('tokenUsages.recordedCosts')`
    SELECT id, cost_micros AS "costMicros", input_price_micros AS "inputPriceMicros", output_price_micros AS "outputPriceMicros",
           cache_read_price_micros AS "cacheReadPriceMicros", cache_write_price_micros AS "cacheWritePriceMicros"
      FROM aibridge_token_usages WHERE id = ANY(${uuidsOnly(ids)}::uuid[])`);
  const byId = new Map(rows.map(({ id, ...r }) => [id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? UNRECORDED);
}
