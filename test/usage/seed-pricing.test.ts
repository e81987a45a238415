import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { seed } from '../../src/db/seed.ts';
import { PRICING_SHAPES, recordCoderCosts, seedPricingShapes, UNPRICED_MODEL } from '../../src/db/seed-pricing.ts';
import { named } from '../../src/db/sql.ts';
import { createToken } from '../../src/db/users.ts';
import { describeEachDb } from '../support/databases.ts';
import { gql } from '../support/http.ts';

/** The pricing shapes on top of the demo data, and the recorded-cost variant. */
const END = new Date('2026-11-20T12:00:00Z');
const MIDDLE = new Date('2026-11-05T12:00:00Z');
let token: string;

const QUERY = `{ usage(groupBy: [PROVIDER, MODEL]) { totals { cost { total source unpricedRequests } }
  groups { provider model figures { requests cacheHitRatio cacheWriteTokens cost { total source unpricedRequests cacheSavings } } } } }`;

describeEachDb(
  'pricing seed',
  (ctx) => {
    it('adds cache-heavy Claude sessions, OpenAI cache reads without writes, an unpriced model and a price change mid-range', async () => {
      const res = await gql(createApp({ db: ctx().db }), QUERY, undefined, token);
      const group = (provider: string, model: string) => res.body.data.usage.groups.find((g: any) => g.provider === provider && g.model === model);
      expect(group('anthropic', UNPRICED_MODEL).figures.cost).toMatchObject({ total: '0.000000', unpricedRequests: PRICING_SHAPES.unpriced, source: 'NONE' });
      expect(group('anthropic', 'claude-sonnet-4-5').figures.cacheHitRatio).toBeGreaterThan(0.5);
      const [gpt5] = await ctx().db.query<{ writes: string; n: string }>(named('test.gpt5')`
        SELECT sum(t.cache_write_input_tokens)::text AS writes, count(*)::text AS n FROM aibridge_token_usages t
          JOIN aibridge_interceptions i ON i.id = t.interception_id WHERE i.model = 'gpt-5' AND i.client_session_id IS NOT NULL
           AND t.cache_read_input_tokens % 128 = 0 AND t.cache_read_input_tokens >= 1024`);
      expect(Number(gpt5.n)).toBeGreaterThanOrEqual(PRICING_SHAPES.codexSessions * (PRICING_SHAPES.codexSteps - 1));
      expect(gpt5.writes).toBe('0');
      const prices = await gql(createApp({ db: ctx().db }), '{ modelPrices { edges { node { model effectiveFrom } } } }', undefined, token);
      expect(prices.body.data.modelPrices.edges).toEqual([{ node: { model: 'gpt-5', effectiveFrom: '2026-11-05T12:00:00Z' } }]);
    });

    it('in the recorded variant, fills Coder\'s cost columns before the middle: sources become MIXED, every figure stays the same', async () => {
      const before = (await gql(createApp({ db: ctx().db }), QUERY, undefined, token)).body.data.usage;
      await recordCoderCosts(ctx().db, MIDDLE);
      const [row] = await ctx().db.query<{ recorded: string; unrecorded: string }>(named('test.recorded')`
        SELECT count(*) FILTER (WHERE cost_micros IS NOT NULL)::text AS recorded, count(*) FILTER (WHERE cost_micros IS NULL)::text AS unrecorded
          FROM aibridge_token_usages`);
      expect(Number(row.recorded)).toBeGreaterThan(0);
      expect(Number(row.unrecorded)).toBeGreaterThan(0);
      const after = (await gql(createApp({ db: ctx().db }), QUERY, undefined, token)).body.data.usage;
      expect(before.totals.cost.source).toBe('PRICE_BOOK');
      expect(after.totals.cost.source).toBe('MIXED');
      // Coder priced those rows with the prices the book holds for them: only the source moves.
      const amounts = (u: any) => u.groups.map((g: any) => [g.provider, g.model, g.figures.cost.total, g.figures.cost.cacheSavings, g.figures.cost.unpricedRequests]);
      expect(amounts(after)).toEqual(amounts(before));
      expect(after.totals.cost.total).toBe(before.totals.cost.total);
    });
  },
  async ({ db }) => {
    await seed(db, { interceptions: 300, end: END });
    await seedPricingShapes(db, { end: END });
    token = await createToken(db, 'admin');
  },
);
