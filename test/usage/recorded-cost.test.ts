import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { named } from '../../src/db/sql.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addTokenUsage, addUser } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';

/**
 * Newer Coder databases record each usage row's cost (cost_micros) and its price snapshot. The
 * recorded cost wins over the gateway's overrides and the package; rows without one (written
 * before pricing existed) are priced from the price book.
 */
let users: Record<'root' | 'alice', { id: string; token: string }>;
let ids: { recorded: string; unrecorded: string };

/** Coder's migration adding per-row prices and cost (the shared reference DDL of current Coder). */
const CODER_COST_COLUMNS = `ALTER TABLE aibridge_token_usages
    ADD COLUMN effective_group_id uuid,
    ADD COLUMN input_price_micros bigint CHECK (input_price_micros >= 0),
    ADD COLUMN output_price_micros bigint CHECK (output_price_micros >= 0),
    ADD COLUMN cache_read_price_micros bigint CHECK (cache_read_price_micros >= 0),
    ADD COLUMN cache_write_price_micros bigint CHECK (cache_write_price_micros >= 0),
    ADD COLUMN cost_micros bigint CHECK (cost_micros >= 0)`;

describeEachDb(
  'recorded cost',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const cost = async (id: string) =>
      (await gql(app(), `query($id: UUID!) { interception(id: $id) { cost { total input output cacheRead source } } }`, { id }, users.root.token)).body.data.interception.cost;

    it('takes the recorded cost_micros over an override and the package, with parts from the row\'s price snapshot', async () => {
      expect(await cost(ids.recorded)).toEqual({ total: '0.123456', input: '0.100000', output: '0.020000', cacheRead: '0.003456', source: 'RECORDED' });
    });

    it('prices rows without a recorded cost from the price book, and says the total is MIXED', async () => {
      // The override: $1 per million input tokens, $2 output, for claude-haiku-4-5.
      expect(await cost(ids.unrecorded)).toMatchObject({ total: '0.120000', source: 'PRICE_BOOK' });
      const usage = await gql(app(), '{ usage { totals { cost { total source unpricedRequests } } } }', undefined, users.root.token);
      expect(usage.body.data.usage.totals.cost).toEqual({ total: '0.243456', source: 'MIXED', unpricedRequests: 0 });
    });
  },
  async ({ db }) => {
    await db.exec(CODER_COST_COLUMNS);
    users = { root: await addUser(db, { username: 'root', role: 'owner' }), alice: await addUser(db, { username: 'alice' }) };
    const recorded = await addInterception(db, { initiatorId: users.alice.id, provider: 'anthropic', model: 'claude-haiku-4-5', startedAt: '2026-05-01T00:00:00Z' });
    const usage = await addTokenUsage(db, { interceptionId: recorded, input: 100_000, output: 10_000, cacheRead: 34_560, createdAt: '2026-05-01T00:00:01Z' });
    // Coder's snapshot: $1 input, $2 output, $0.10 cache read per million; cost_micros as Coder wrote it.
    await db.query(named('test.recordCost')`UPDATE aibridge_token_usages SET input_price_micros = 1000000, output_price_micros = 2000000,
      cache_read_price_micros = 100000, cost_micros = 123456 WHERE id = ${usage}`);
    const unrecorded = await addInterception(db, { initiatorId: users.alice.id, provider: 'anthropic', model: 'claude-haiku-4-5', startedAt: '2026-05-02T00:00:00Z' });
    await addTokenUsage(db, { interceptionId: unrecorded, input: 100_000, output: 10_000, createdAt: '2026-05-02T00:00:01Z' });
    ids = { recorded, unrecorded };
    const set = await gql(createApp({ db }), `mutation { setModelPrice(input: { provider: "anthropic", model: "claude-haiku-4-5", inputPrice: 1000000, outputPrice: 2000000, cacheReadPrice: 5000000, cacheWritePrice: 0 }) { uuid } }`, undefined, users.root.token);
    if (set.body.errors) throw new Error(JSON.stringify(set.body.errors));
  },
  // A seed-era database that Coder's migration then gives the cost columns (the current
  // generation already has them).
  'seed-era',
);
