import { calcPrice, type ModelInfo, type ModelPrice } from '@pydantic/genai-prices';
import type { ModelKey, PricePeriod } from './period.ts';

/**
 * Default prices from @pydantic/genai-prices, a maintained price book with dated prices and
 * provider/model matching. The package is used for its prices only, never for its arithmetic:
 * its `input_tokens` INCLUDES cache reads and writes, Coder's `input_tokens` EXCLUDES them, so
 * the SQL in src/domain/usage multiplies Coder's columns by these per-million prices itself.
 *
 * What the package knows that is not applied: tiered prices (above a context size a request
 * costs more; the base tier is used) and time-of-day discounts (DeepSeek off-peak). Both would
 * need the per-request shape, which pricing in SQL by (provider, model, start) does not carry.
 */

/** USD per million tokens (a float in the package) → integer micro-USD per million tokens. */
function micros(value: ModelPrice[string]): bigint | null {
  const usd = typeof value === 'number' ? value : value?.base;
  return usd === undefined ? null : BigInt(Math.round(usd * 1_000_000));
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
