import { calcPrice, type ModelInfo, type ModelPrice } from '@pydantic/genai-prices';
import type { ModelKey, PricePeriod, PriceTier } from './period.ts';

/**
 * Default prices from @pydantic/genai-prices, a maintained price book with dated prices and
 * provider/model matching. The package is used for its prices only, never for its arithmetic:
 * its `input_tokens` INCLUDES cache reads and writes, Coder's `input_tokens` EXCLUDES them, so
 * the SQL in src/domain/usage multiplies Coder's columns by these per-million prices itself.
 *
 * Long-context tiers are applied as the package applies them: above the tier's start (counted
 * over the whole prompt, cache included) every token of the request costs the tier price. The
 * package lists at most one tier per price today (checked over every provider it knows); a
 * second tier would be ignored. Time-of-day discounts (DeepSeek off-peak) are not applied:
 * prices are joined by (provider, model, start instant) only.
 */

/** USD per million tokens (a float in the package) → integer micro-USD per million tokens. */
const toMicros = (usd: number | undefined) => (usd === undefined ? null : BigInt(Math.round(usd * 1_000_000)));

const micros = (value: ModelPrice[string]) => toMicros(typeof value === 'number' ? value : value?.base);

/** The first tier's price, else the base price (a kind without tiers costs the same above it). */
const tierMicros = (value: ModelPrice[string]) => (typeof value === 'object' && value.tiers[0] ? toMicros(value.tiers[0].price) : micros(value));

function tierOf(p: ModelPrice): PriceTier | null {
  const starts = Object.values(p).flatMap((v) => (typeof v === 'object' && v.tiers[0] ? [v.tiers[0].start] : []));
  if (starts.length === 0) return null;
  const input = tierMicros(p.input_mtok);
  return {
    above: BigInt(Math.min(...starts)),
    input,
    output: tierMicros(p.output_mtok),
    cacheRead: tierMicros(p.cache_read_mtok) ?? input,
    cacheWrite: tierMicros(p.cache_write_mtok) ?? input,
  };
}

/**
 * The package's prices for one model as dated periods, oldest first. Only start-date
 * constraints split the timeline; the price in force at each start is what calcPrice itself
 * selects for that instant, so the package's own selection rules apply.
 */
export function packagePeriods(key: ModelKey): PricePeriod[] {
  const found = lookup(key, new Date(0));
  if (!found) return [];
  const conditional = Array.isArray(found.model.prices) ? found.model.prices : [];
  const starts = [...new Set(conditional.flatMap((c) => (c.constraint?.type === 'start_date' ? [c.constraint.start_date] : [])))].sort();
  const bounds: (string | null)[] = [null, ...starts.map((d) => new Date(d).toISOString())];
  return bounds.flatMap((from, n) => {
    const at = lookup(key, from === null ? new Date(0) : new Date(from));
    if (!at) return [];
    const p = at.model_price;
    const input = micros(p.input_mtok);
    // The package charges cache tokens at the input price when it lists no cache price
    // (OpenAI lists no cache-write price): the same rule here keeps its totals.
    return [{
      provider: key.provider,
      model: key.model,
      from,
      to: bounds[n + 1] ?? null,
      input,
      output: micros(p.output_mtok),
      cacheRead: micros(p.cache_read_mtok) ?? input,
      cacheWrite: micros(p.cache_write_mtok) ?? input,
      tier: tierOf(p),
      origin: 'package' as const,
    }];
  });
}

function lookup(key: ModelKey, timestamp: Date): { model: ModelInfo; model_price: ModelPrice } | null {
  try {
    return calcPrice({}, key.model, { providerId: key.provider, timestamp });
  } catch {
    // A provider id the package cannot match is simply not priced by it.
    return null;
  }
}
