import type { Capabilities } from '../db/capabilities.ts';
import type { Queryable } from '../db/db.ts';
import { named } from '../db/sql.ts';
import type { ModelKey } from './period.ts';

/**
 * One row of Coder's own price table `ai_model_prices` (current Coder databases): micro-USD per
 * million tokens, the same unit as the gateway's overrides and Coder's per-row snapshot; null =
 * unknown, 0 = free. Its `provider` is the provider TYPE (`anthropic`, `openai`, …), which is what
 * `aibridge_interceptions.provider` holds, so rows match interceptions on (provider, model).
 *
 * The table keeps one current price per model and no history: `updated_at` says when an admin
 * last edited the row, not since when the price holds. It is therefore undated here (it applies
 * at every instant); requests Coder priced when it recorded them carry their own cost anyway.
 */
export interface CoderPrice extends ModelKey {
  input: bigint | null;
  output: bigint | null;
  cacheRead: bigint | null;
  cacheWrite: bigint | null;
}

type Row = Record<'provider' | 'model', string> & Record<'input' | 'output' | 'cacheRead' | 'cacheWrite', string | null>;

const big = (v: string | null) => (v === null ? null : BigInt(v));

/**
 * Coder's prices of the given models: one read of Coder's table (read-only, by primary key),
 * none where the table does not exist or there is nothing to price.
 */
export async function coderPricesFor(db: Queryable, caps: Pick<Capabilities, 'modelPrices'>, models: readonly ModelKey[]): Promise<CoderPrice[]> {
  if (!caps.modelPrices || models.length === 0) return [];
  const rows = await db.query<Row>(named('prices.coderTable')`
    SELECT p.provider, p.model, p.input_price::text AS input, p.output_price::text AS output,
           p.cache_read_price::text AS "cacheRead", p.cache_write_price::text AS "cacheWrite"
      FROM ai_model_prices p
      JOIN unnest(${models.map((m) => m.provider)}::text[], ${models.map((m) => m.model)}::text[]) AS k(provider, model)
        ON p.provider = k.provider AND p.model = k.model`);
  return rows.map((r) => ({ provider: r.provider, model: r.model, input: big(r.input), output: big(r.output), cacheRead: big(r.cacheRead), cacheWrite: big(r.cacheWrite) }));
}
