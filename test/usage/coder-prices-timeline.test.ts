import { describe, expect, it } from 'vitest';
import type { CoderPrice } from '../../src/prices/coder-prices.ts';
import { packagePeriods } from '../../src/prices/package-book.ts';
import type { PricePeriod } from '../../src/prices/period.ts';
import { type PriceOverride, priceTimeline } from '../../src/prices/resolve.ts';

/**
 * The price book's layers without a database: which layer prices a model at which instant.
 * Recorded per-row cost sits above all of these and is applied in SQL (coder-prices.test.ts).
 */
const HAIKU = { provider: 'anthropic', model: 'claude-haiku-4-5' };
const D1 = new Date('2026-06-01T00:00:00Z');
const D2 = new Date('2026-09-01T00:00:00Z');

const coder: CoderPrice = { ...HAIKU, input: 700_000n, output: 3_500_000n, cacheRead: 70_000n, cacheWrite: null };
const override = (effectiveFrom: Date, input: bigint): PriceOverride => ({ ...HAIKU, effectiveFrom, input, output: 1n, cacheRead: 1n, cacheWrite: 1n });

/** The period in force at an instant (periods are [from, to)). */
const at = (periods: PricePeriod[], instant: string) =>
  periods.filter((p) => (p.from === null || Date.parse(p.from) <= Date.parse(instant)) && (p.to === null || Date.parse(instant) < Date.parse(p.to)));

describe('price timeline precedence: override > Coder price table > package', () => {
  it('prices a model from the package when nothing above it knows the model', () => {
    const periods = priceTimeline([HAIKU], []);
    expect(periods.length).toBeGreaterThan(0);
    expect(periods.every((p) => p.origin === 'package')).toBe(true);
    expect(periods).toEqual(packagePeriods(HAIKU));
  });

  it('lets Coder\'s price table win over the package at every instant (it is undated), with its nulls kept as unknown', () => {
    const periods = priceTimeline([HAIKU], [], [coder]);
    expect(periods).toEqual([{ ...HAIKU, from: null, to: null, input: 700_000n, output: 3_500_000n, cacheRead: 70_000n, cacheWrite: null, tier: null, origin: 'coder' }]);
  });

  it('lets an override win from its effectiveFrom on, Coder\'s table holding before it', () => {
    const periods = priceTimeline([HAIKU], [override(D2, 9n), override(D1, 5n)], [coder]);
    expect(at(periods, '2026-01-01T00:00:00Z').map((p) => [p.origin, p.input])).toEqual([['coder', 700_000n]]);
    expect(at(periods, D1.toISOString()).map((p) => [p.origin, p.input])).toEqual([['override', 5n]]);
    expect(at(periods, '2026-08-31T23:59:59Z').map((p) => [p.origin, p.input])).toEqual([['override', 5n]]);
    expect(at(periods, D2.toISOString()).map((p) => [p.origin, p.input])).toEqual([['override', 9n]]);
    expect(at(periods, '2030-01-01T00:00:00Z').map((p) => [p.origin, p.input])).toEqual([['override', 9n]]);
  });

  it('clips the package before the first override where Coder\'s table does not know the model', () => {
    const periods = priceTimeline([HAIKU], [override(D1, 5n)]);
    expect(at(periods, '2026-01-01T00:00:00Z').map((p) => p.origin)).toEqual(['package']);
    expect(at(periods, D1.toISOString()).map((p) => p.origin)).toEqual(['override']);
  });

  it('applies Coder\'s price only to its own (provider type, model)', () => {
    const other = { provider: 'copilot', model: 'claude-haiku-4-5' };
    const periods = priceTimeline([HAIKU, other], [], [coder]);
    expect(periods.filter((p) => p.provider === 'copilot').every((p) => p.origin === 'package')).toBe(true);
    expect(periods.filter((p) => p.provider === 'anthropic').map((p) => p.origin)).toEqual(['coder']);
  });
});
