import { createHash } from 'node:crypto';
import { type ModelKey, modelKey, type PricePeriod } from '../prices/period.ts';

/**
 * A fingerprint of the prices each model's usages are priced with: its price periods (overrides
 * and package defaults, with their dates and tiers). Roll-up rows hold micro-dollars priced with
 * one fingerprint per model; any change to a model's prices changes it, and the roll-ups of that
 * model are then not used until re-priced (src/rollups/refresh.ts).
 */
export function priceKeys(models: readonly ModelKey[], periods: readonly PricePeriod[]): Map<string, string> {
  const byModel = new Map<string, PricePeriod[]>(models.map((m) => [modelKey(m), []]));
  for (const p of periods) byModel.get(modelKey(p))?.push(p);
  return new Map([...byModel].map(([k, ps]) => [k, createHash('sha256')
    .update(JSON.stringify(ps.map(({ origin: _origin, ...p }) => p), (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
    .digest('hex').slice(0, 32)]));
}
