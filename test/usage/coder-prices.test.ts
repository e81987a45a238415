import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import { seed } from '../../src/db/seed.ts';
import { seedPricingShapes } from '../../src/db/seed-pricing.ts';
import { named } from '../../src/db/sql.ts';
import { createToken } from '../../src/db/users.ts';
import { packagePeriods } from '../../src/prices/package-book.ts';
import { describeEachDb, describeEachGeneration } from '../support/databases.ts';
import { addInterception, addTokenUsage, addUser, countStatements } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';

/**
 * Coder's price table (ai_model_prices) as a price source, per usage row and dated:
 * recorded cost_micros > the gateway's overrides > Coder's table > the package's defaults, and
 * every cost says which source priced what. Expected amounts are Coder's formula applied here to
 * the prices each case sets: Σ floor(tokens × price per million / 1,000,000) micro-dollars.
 */
type Tokens = [input: number, output: number, cacheRead: number, cacheWrite: number];
type Prices = [input: number, output: number, cacheRead: number | null, cacheWrite: number | null];

const micros = (t: Tokens, p: Prices) => t.reduce((sum, n, k) => sum + (n === 0 ? 0n : (BigInt(n) * BigInt(p[k]!)) / 1_000_000n), 0n);
const usd = (m: bigint) => `${m / 1_000_000n}.${String(m % 1_000_000n).padStart(6, '0')}`;
const tokensOf = (t: Tokens) => t.reduce((a, b) => a + b, 0);

const HAIKU = { provider: 'anthropic', model: 'claude-haiku-4-5' };
/** The gateway's override of HAIKU from this instant on. */
const OVERRIDE_FROM = '2026-06-01T00:00:00Z';
const PRICES = {
  coderHaiku: [700_000, 3_500_000, 70_000, 875_000] as Prices,
  overrideHaiku: [500_000, 2_500_000, 50_000, 625_000] as Prices,
  coderOnly: [2_000_000, 4_000_000, 200_000, 2_500_000] as Prices,
  // The package's list price of openai/gpt-4.1: $2 input, $8 output, $0.50 cache read per million.
  packageGpt41: [2_000_000, 8_000_000, 500_000, 2_000_000] as Prices,
  // Coder's row for gpt-5 has no cache-write price (NULL: unknown).
  coderGpt5: [1_250_000, 10_000_000, 125_000, null] as Prices,
};
const T: Tokens = [100_000, 10_000, 40_000, 8_000];
const RECORDED_MICROS = 424_242n;

let users: Record<'root' | 'audrey' | 'alice', { id: string; token: string }>;
let demoToken: string;
let ids: Record<'coderBefore' | 'overrideAfter' | 'recordedAndOverride' | 'packageOnly' | 'coderOnly' | 'coderNullCacheWrite' | 'coderNoCacheWrite', string>;

const COST = `query($id: UUID!) { interception(id: $id) { cost { total source unpricedRequests sources { source usages tokens amount } } } }`;

async function seedCase(db: Db, generation: 'current' | 'seed-era') {
  users = {
    root: await addUser(db, { username: 'root', role: 'owner' }),
    audrey: await addUser(db, { username: 'audrey', role: 'auditor' }),
    alice: await addUser(db, { username: 'alice' }),
  };
  const one = async (key: keyof typeof ids, f: { provider: string; model: string; startedAt: string }, usages: Tokens[]) => {
    const id = await addInterception(db, { initiatorId: users.alice.id, ...f });
    for (const [n, [input, output, cacheRead, cacheWrite]] of usages.entries()) {
      await addTokenUsage(db, { interceptionId: id, input, output, cacheRead, cacheWrite, createdAt: f.startedAt, providerResponseId: `resp_${n}` });
    }
    return [key, id] as const;
  };
  ids = Object.fromEntries([
    await one('coderBefore', { ...HAIKU, startedAt: '2026-05-01T00:00:00Z' }, [T]),
    await one('overrideAfter', { ...HAIKU, startedAt: '2026-07-01T00:00:00Z' }, [T]),
    await one('recordedAndOverride', { ...HAIKU, startedAt: '2026-07-02T00:00:00Z' }, [T, T]),
    await one('packageOnly', { provider: 'openai', model: 'gpt-4.1', startedAt: '2026-05-01T00:00:00Z' }, [[T[0], T[1], T[2], 0]]),
    await one('coderOnly', { provider: 'copilot', model: 'coder-only-model', startedAt: '2026-05-01T00:00:00Z' }, [T]),
    await one('coderNullCacheWrite', { provider: 'openai', model: 'gpt-5', startedAt: '2026-05-01T00:00:00Z' }, [[1000, 500, 0, 200]]),
    await one('coderNoCacheWrite', { provider: 'openai', model: 'gpt-5', startedAt: '2026-05-02T00:00:00Z' }, [[3000, 500, 0, 0]]),
  ]) as typeof ids;
  if (generation === 'current') {
    const rows: [string, string, Prices][] = [
      [HAIKU.provider, HAIKU.model, PRICES.coderHaiku],
      ['copilot', 'coder-only-model', PRICES.coderOnly],
      ['openai', 'gpt-5', PRICES.coderGpt5],
    ];
    for (const [provider, model, [i, o, cr, cw]] of rows) {
      await db.query(named('test.coderPrice')`INSERT INTO ai_model_prices (provider, model, input_price, output_price, cache_read_price, cache_write_price)
        VALUES (${provider}, ${model}, ${i}, ${o}, ${cr}, ${cw})`);
    }
    // Coder recorded the first usage of this interception (cost and snapshot); the second it did not.
    await db.query(named('test.recordCost')`UPDATE aibridge_token_usages SET cost_micros = ${String(RECORDED_MICROS)}, input_price_micros = 1,
        output_price_micros = 1, cache_read_price_micros = 1, cache_write_price_micros = 1
      WHERE interception_id = ${ids.recordedAndOverride} AND provider_response_id = 'resp_0'`);
  }
  const [i, o, cr, cw] = PRICES.overrideHaiku;
  const set = await gql(createApp({ db }), `mutation($input: ModelPriceInput!) { setModelPrice(input: $input) { uuid } }`,
    { input: { ...HAIKU, effectiveFrom: OVERRIDE_FROM, inputPrice: i, outputPrice: o, cacheReadPrice: cr, cacheWritePrice: cw } }, users.root.token);
  if (set.body.errors) throw new Error(JSON.stringify(set.body.errors));
}

const share = (source: string, usages: number, tokens: number, amount: bigint) => ({ source, usages, tokens, amount: usd(amount) });

describeEachDb(
  "Coder's price table (current schema)",
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const cost = async (id: string, who: keyof typeof users = 'root') => (await gql(app(), COST, { id }, users[who].token)).body.data.interception.cost;

    it('prices with Coder\'s table before an override takes effect, and with the override from then on', async () => {
      const before = micros(T, PRICES.coderHaiku);
      expect(await cost(ids.coderBefore)).toEqual({ total: usd(before), source: 'PRICE_BOOK', unpricedRequests: 0, sources: [share('CODER_PRICE_TABLE', 1, tokensOf(T), before)] });
      const after = micros(T, PRICES.overrideHaiku);
      expect(await cost(ids.overrideAfter)).toEqual({ total: usd(after), source: 'PRICE_BOOK', unpricedRequests: 0, sources: [share('OVERRIDE', 1, tokensOf(T), after)] });
    });

    it('takes a row\'s recorded cost over the override, per usage row within one request', async () => {
      const override = micros(T, PRICES.overrideHaiku);
      expect(await cost(ids.recordedAndOverride)).toEqual({
        total: usd(RECORDED_MICROS + override), source: 'MIXED', unpricedRequests: 0,
        sources: [share('RECORDED', 1, tokensOf(T), RECORDED_MICROS), share('OVERRIDE', 1, tokensOf(T), override)],
      });
    });

    it('prices a model only Coder\'s table knows, and falls to the package for a model it does not know', async () => {
      const coderOnly = micros(T, PRICES.coderOnly);
      expect(await cost(ids.coderOnly)).toMatchObject({ total: usd(coderOnly), sources: [share('CODER_PRICE_TABLE', 1, tokensOf(T), coderOnly)] });
      const t: Tokens = [T[0], T[1], T[2], 0];
      const pkg = micros(t, PRICES.packageGpt41);
      expect(await cost(ids.packageOnly)).toMatchObject({ total: usd(pkg), sources: [share('PACKAGE', 1, tokensOf(t), pkg)] });
    });

    it('leaves a request unpriced where Coder\'s table has a NULL price it needs, rather than falling through to the package', async () => {
      expect(await cost(ids.coderNullCacheWrite)).toEqual({ total: '0.000000', source: 'NONE', unpricedRequests: 1, sources: [] });
      const noCacheWrite = micros([3000, 500, 0, 0], PRICES.coderGpt5);
      expect(await cost(ids.coderNoCacheWrite)).toMatchObject({ total: usd(noCacheWrite), sources: [share('CODER_PRICE_TABLE', 1, 3500, noCacheWrite)] });
    });

    it('splits the usage totals by source, the amounts adding up to the total', async () => {
      const res = await gql(app(), '{ usage { totals { cost { total source unpricedRequests sources { source usages tokens amount } } } } }', undefined, users.root.token);
      const c = res.body.data.usage.totals.cost;
      const coder = micros(T, PRICES.coderHaiku) + micros(T, PRICES.coderOnly) + micros([3000, 500, 0, 0], PRICES.coderGpt5);
      const override = 2n * micros(T, PRICES.overrideHaiku);
      const t41: Tokens = [T[0], T[1], T[2], 0];
      const pkg = micros(t41, PRICES.packageGpt41);
      expect(c).toEqual({
        total: usd(RECORDED_MICROS + override + coder + pkg), source: 'MIXED', unpricedRequests: 1,
        sources: [
          share('RECORDED', 1, tokensOf(T), RECORDED_MICROS),
          share('OVERRIDE', 2, 2 * tokensOf(T), override),
          share('CODER_PRICE_TABLE', 3, 2 * tokensOf(T) + 3500, coder),
          share('PACKAGE', 1, tokensOf(t41), pkg),
        ],
      });
    });

    it('shows a member, an auditor and an owner the same prices for the same request', async () => {
      for (const id of Object.values(ids)) {
        const seen = await Promise.all((['root', 'audrey', 'alice'] as const).map((who) => cost(id, who)));
        expect(seen[1], id).toEqual(seen[0]);
        expect(seen[2], id).toEqual(seen[0]);
      }
      const totals = await Promise.all((['root', 'audrey', 'alice'] as const).map(async (who) =>
        (await gql(app(), '{ usage { totals { cost { total sources { source amount } } } } }', undefined, users[who].token)).body.data.usage.totals.cost));
      expect(totals[1]).toEqual(totals[0]);
      expect(totals[2]).toEqual(totals[0]);
    });

    it('reads Coder\'s table and the recorded-cost columns without probing the catalog per request', async () => {
      const a = app();
      await gql(a, '{ usage { totals { cost { total } } } }', undefined, users.root.token); // detects the schema once
      const { names, statements } = await countStatements(ctx().db, () =>
        gql(a, `query($id: UUID!) { usage { totals { cost { total } } } interception(id: $id) { cost { total } } }`, { id: ids.coderOnly }, users.root.token));
      expect(names).toContain('prices.coderTable');
      expect(names).not.toContain('schema.capabilities');
      expect(statements.filter((s) => /pg_attribute|pg_catalog|information_schema|to_regclass/i.test(s))).toEqual([]);
    });
  },
  (t) => seedCase(t.db, 'current'),
  'current',
);

describeEachDb(
  "Coder's price table absent (seed-era schema)",
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const cost = async (id: string) => (await gql(app(), COST, { id }, users.root.token)).body.data.interception.cost;

    it('prices from the overrides and the package alone, without a statement naming the table', async () => {
      const a = app();
      const { result, names, statements } = await countStatements(ctx().db, () => gql(a, COST, { id: ids.coderOnly }, users.root.token));
      expect(result.body.data.interception.cost).toEqual({ total: '0.000000', source: 'NONE', unpricedRequests: 1, sources: [] });
      expect(names).not.toContain('prices.coderTable');
      expect(statements.filter((s) => /ai_model_prices|cost_micros/.test(s))).toEqual([]);
      expect((await cost(ids.overrideAfter)).sources).toEqual([share('OVERRIDE', 1, tokensOf(T), micros(T, PRICES.overrideHaiku))]);
      const before = await cost(ids.coderBefore);
      expect(before.sources.map((s: { source: string }) => s.source)).toEqual(['PACKAGE']);
      // The package's own price for claude-haiku-4-5 ($1 / $5 / $0.10 / $1.25 per million), not Coder's.
      expect(before.total).toBe(usd(micros(T, [1_000_000, 5_000_000, 100_000, 1_250_000])));
    });
  },
  (t) => seedCase(t.db, 'seed-era'),
  'seed-era',
);

describeEachGeneration(
  "demo data with Coder's price table",
  (ctx, generation) => {
    it(generation === 'current'
      ? 'prices Copilot\'s Claude from Coder\'s table alone, and gpt-5 from Coder\'s table before the override and the override after'
      : 'leaves Copilot\'s Claude unpriced without Coder\'s table', async () => {
      const res = await gql(createApp({ db: ctx().db }), `{ usage(groupBy: [PROVIDER, MODEL]) { groups { provider model figures { requests cost { unpricedRequests sources { source usages } } } } } }`, undefined, demoToken);
      const group = (provider: string, model: string) => res.body.data.usage.groups.find((g: any) => g.provider === provider && g.model === model).figures;
      const copilotClaude = group('copilot', 'claude-sonnet-4-5');
      expect(copilotClaude.requests).toBeGreaterThan(0);
      // The package has no price for it (so only Coder's table can price it).
      expect(packagePeriods({ provider: 'copilot', model: 'claude-sonnet-4-5' })).toEqual([]);
      const sources = (f: any) => f.cost.sources.map((s: { source: string }) => s.source);
      if (generation === 'current') {
        expect(copilotClaude.cost.unpricedRequests).toBe(0);
        expect(sources(copilotClaude)).toEqual(['CODER_PRICE_TABLE']);
        expect(sources(group('openai', 'gpt-5'))).toEqual(['OVERRIDE', 'CODER_PRICE_TABLE']);
        expect(sources(group('openai', 'gpt-5-mini'))).toEqual(['PACKAGE']);
      } else {
        expect(copilotClaude.cost.unpricedRequests).toBe(copilotClaude.requests);
        expect(sources(copilotClaude)).toEqual([]);
        expect(sources(group('openai', 'gpt-5'))).toEqual(['OVERRIDE', 'PACKAGE']);
      }
    });
  },
  async ({ db }) => {
    const end = new Date('2026-11-20T12:00:00Z');
    await seed(db, { interceptions: 600, end });
    await seedPricingShapes(db, { end });
    demoToken = await createToken(db, 'admin');
  },
);
