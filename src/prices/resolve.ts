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
 * The price timeline of each model asked for. Precedence (highest first): Coder's recorded
 * per-row cost (applied in SQL, where the row is), the gateway's overrides, the package's
 * defaults. An override holds from its effectiveFrom until the model's next override; before a
 * model's first override the package's (dated) prices hold.
 */
export function priceTimeline(models: readonly ModelKey[], overrides: readonly PriceOverride[]): PricePeriod[] {
  const byModel = new Map<string, PriceOverride[]>();
  for (const o of overrides) byModel.set(modelKey(o), [...(byModel.get(modelKey(o)) ?? []), o]);
  const unique = [...new Map(models.map((m) => [modelKey(m), m])).values()];
  return unique.flatMap((m) => {
    const own = (byModel.get(modelKey(m)) ?? []).sort((a, b) => a.effectiveFrom.getTime() - b.effectiveFrom.getTime());
    const firstOverride = own[0]?.effectiveFrom.toISOString() ?? null;
    const defaults = packagePeriods(m).flatMap((p) => clipBefore(p, firstOverride));
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
    return [...defaults, ...overridden];
  });
}

/** The part of a period before `end` (all of it when end is null), or nothing. */
function clipBefore(p: PricePeriod, end: string | null): PricePeriod[] {
  if (end === null) return [p];
  if (p.from !== null && Date.parse(p.from) >= Date.parse(end)) return [];
  const to = p.to === null || Date.parse(p.to) > Date.parse(end) ? end : p.to;
  return [{ ...p, to }];
}
