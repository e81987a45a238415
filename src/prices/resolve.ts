import type { CoderPrice } from './coder-prices.ts';
import { packagePeriods } from './package-book.ts';
import { type ModelKey, modelKey, type PricePeriod } from './period.ts';

/** An admin's price for a model from an instant on (the gateway's `model_prices` table). */
export interface PriceOverride extends ModelKey {
  effectiveFrom: Date;
  input: bigint | null;
  output: bigint | null;
  cacheRead: bigint | null;
  cacheWrite: bigint | null;
}

/**
 * The price timeline of each model asked for. Precedence (highest first):
 *
 * 1. Coder's recorded per-row cost (`cost_micros`; applied in SQL, where the row is);
 * 2. the gateway's overrides, each from its effectiveFrom until the model's next override;
 * 3. Coder's price table `ai_model_prices` (undated: one current price per model, see
 *    ./coder-prices.ts), wherever no override is in force;
 * 4. the package's dated defaults, wherever neither of the above prices the model.
 *
 * A layer that knows a model prices all of it for its time: a null (unknown) price there makes
 * requests with that kind of token unpriced rather than falling through to a lower layer, so a
 * figure never mixes layers within one request.
 */
export function priceTimeline(models: readonly ModelKey[], overrides: readonly PriceOverride[], coder: readonly CoderPrice[] = []): PricePeriod[] {
  const byModel = new Map<string, PriceOverride[]>();
  for (const o of overrides) byModel.set(modelKey(o), [...(byModel.get(modelKey(o)) ?? []), o]);
  const coderByModel = new Map(coder.map((c) => [modelKey(c), c]));
  const unique = [...new Map(models.map((m) => [modelKey(m), m])).values()];
  return unique.flatMap((m) => {
    const own = (byModel.get(modelKey(m)) ?? []).sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
    const firstOverride = own[0]?.effectiveFrom.toISOString() ?? null;
    const c = coderByModel.get(modelKey(m));
    const below: PricePeriod[] = c
      ? [{ provider: m.provider, model: m.model, from: null, to: null, input: c.input, output: c.output, cacheRead: c.cacheRead, cacheWrite: c.cacheWrite, tier: null, origin: 'coder' }]
      : packagePeriods(m);
    const overridden = own.map((o, n): PricePeriod => ({
      provider: m.provider,
      model: m.model,
      from: o.effectiveFrom.toISOString(),
      to: own[n + 1]?.effectiveFrom.toISOString() ?? null,
      input: o.input,
      output: o.output,
      cacheRead: o.cacheRead,
      cacheWrite: o.cacheWrite,
      tier: null,
      origin: 'override',
    }));
    return [...below.flatMap((p) => clipBefore(p, firstOverride)), ...overridden];
  });
}

/** The part of a period before `end` (all of it when end is null), or nothing. */
function clipBefore(p: PricePeriod, end: string | null): PricePeriod[] {
  if (end === null) return [p];
  if (p.from !== null && Date.parse(p.from) >= Date.parse(end)) return [];
  const to = p.to === null || Date.parse(p.to) > Date.parse(end) ? end : p.to;
  return [{ ...p, to }];
}
