import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { named } from '../../src/db/sql.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addTokenUsage, addUser } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';

/** Price overrides through GraphQL: who may write, what is written, and that it takes effect at once. */
let users: Record<'root' | 'audrey' | 'alice', { id: string; token: string }>;

const SET = `mutation($input: ModelPriceInput!) { setModelPrice(input: $input) { uuid provider model effectiveFrom inputPrice outputPrice cacheReadPrice cacheWritePrice note createdBy } }`;
const LIST = `{ modelPrices(first: 10) { totalCount edges { node { uuid provider model effectiveFrom inputPrice note } } } }`;
const INPUT = { provider: 'openai', model: 'gpt-4.1', effectiveFrom: '2026-01-01T00:00:00Z', inputPrice: 3_000_000, outputPrice: 9_000_000, cacheReadPrice: null, cacheWritePrice: null, note: 'contract' };

describeEachDb(
  'ModelPrice overrides',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const count = async () => Number((await ctx().db.query<{ n: string }>(named('test.countPrices')`SELECT count(*) AS n FROM gateway_model_prices`))[0].n);

    it('refuses setModelPrice and deleteModelPrice to members and auditors with FORBIDDEN, writing nothing', async () => {
      const before = await count();
      for (const who of ['alice', 'audrey'] as const) {
        const set = await gql(app(), SET, { input: INPUT }, users[who].token);
        expect(set.body.errors[0].extensions.code).toBe('FORBIDDEN');
        const del = await gql(app(), 'mutation { deleteModelPrice(uuid: "00000000-0000-4000-8000-0000000000ff") }', undefined, users[who].token);
        expect(del.body.errors[0].extensions.code).toBe('FORBIDDEN');
      }
      expect(await count()).toBe(before);
    });

    it('lets an owner set a price that everyone may read and that usage applies at once', async () => {
      const cost = async () => (await gql(app(), '{ usage { totals { cost { total source } } } }', undefined, users.root.token)).body.data.usage.totals.cost;
      const set = await gql(app(), SET, { input: INPUT }, users.root.token);
      expect(set.body.errors).toBeUndefined();
      expect(set.body.data.setModelPrice).toMatchObject({ ...INPUT, createdBy: users.root.id });
      // 1,000,000 input tokens at $3 and 10,000 output tokens at $9 per million.
      expect(await cost()).toEqual({ total: '3.090000', source: 'PRICE_BOOK' });
      const again = await gql(app(), SET, { input: { ...INPUT, inputPrice: 1_000_000 } }, users.root.token);
      expect(again.body.data.setModelPrice.uuid).toBe(set.body.data.setModelPrice.uuid);
      expect(await cost()).toEqual({ total: '1.090000', source: 'PRICE_BOOK' });
      for (const who of ['alice', 'audrey'] as const) {
        const list = await gql(app(), LIST, undefined, users[who].token);
        expect(list.body.data.modelPrices.totalCount).toBe(1);
        expect(list.body.data.modelPrices.edges[0].node).toMatchObject({ provider: 'openai', model: 'gpt-4.1', inputPrice: 1_000_000, note: 'contract' });
      }
      const del = await gql(app(), 'mutation($id: UUID!) { deleteModelPrice(uuid: $id) }', { id: set.body.data.setModelPrice.uuid }, users.root.token);
      expect(del.body.data.deleteModelPrice).toBe(true);
      const gone = await gql(app(), 'mutation($id: UUID!) { deleteModelPrice(uuid: $id) }', { id: set.body.data.setModelPrice.uuid }, users.root.token);
      expect(gone.body.data.deleteModelPrice).toBe(false);
      // Back to the package's $2 / $8 per million.
      expect(await cost()).toEqual({ total: '2.080000', source: 'PRICE_BOOK' });
    });

    it('looks a price up by its global id, for anyone signed in; an id naming nothing is null', async () => {
      const set = await gql(app(), `mutation($input: ModelPriceInput!) { setModelPrice(input: $input) { id uuid } }`, { input: { ...INPUT, model: 'node-probe' } }, users.root.token);
      const { id, uuid } = set.body.data.setModelPrice;
      const res = await gql(app(), 'query($id: ID!) { node(id: $id) { ... on ModelPrice { uuid model } } }', { id }, users.alice.token);
      expect(res.body.data.node).toEqual({ uuid, model: 'node-probe' });
      const bogus = Buffer.from('ModelPrice:not-a-uuid').toString('base64');
      expect((await gql(app(), 'query($id: ID!) { node(id: $id) { id } }', { id: bogus }, users.alice.token)).body).toEqual({ data: { node: null } });
      await gql(app(), 'mutation($id: UUID!) { deleteModelPrice(uuid: $id) }', { id: uuid }, users.root.token);
      expect((await gql(app(), 'query($id: ID!) { node(id: $id) { id } }', { id }, users.alice.token)).body).toEqual({ data: { node: null } });
    });

    it('refuses malformed page arguments with BAD_USER_INPUT, and pages by cursor', async () => {
      for (const args of ['first: -1', 'first: 1001', 'first: 1, last: 1', 'after: "x", before: "y"', 'first: 1, before: "eHh4"', 'after: "garbage"',
        `after: "${Buffer.from('GPC:S:not-a-uuid').toString('base64')}"`]) {
        const res = await gql(app(), `{ modelPrices(${args}) { edges { cursor } } }`, undefined, users.alice.token);
        expect(res.body.errors?.[0].extensions.code, args).toBe('BAD_USER_INPUT');
      }
      for (const model of ['page-a', 'page-b']) await gql(app(), SET, { input: { ...INPUT, model } }, users.root.token);
      const first = await gql(app(), '{ modelPrices(first: 1) { edges { cursor node { model } } pageInfo { hasNextPage endCursor } } }', undefined, users.alice.token);
      expect(first.body.data.modelPrices.edges[0].node.model).toBe('page-a');
      const next = await gql(app(), 'query($after: String!) { modelPrices(first: 1, after: $after) { edges { node { model } } } }', { after: first.body.data.modelPrices.pageInfo.endCursor }, users.alice.token);
      expect(next.body.data.modelPrices.edges[0].node.model).toBe('page-b');
      await ctx().db.exec(`DELETE FROM gateway_model_prices WHERE model LIKE 'page-%'`);
    });

    it('refuses negative and absurd prices and empty names with BAD_USER_INPUT', async () => {
      for (const input of [{ ...INPUT, inputPrice: -1 }, { ...INPUT, outputPrice: 2 ** 52 }, { ...INPUT, model: ' ' }]) {
        const res = await gql(app(), SET, { input }, users.root.token);
        expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      }
      expect(await count()).toBe(0);
    });
  },
  async ({ db }) => {
    users = {
      root: await addUser(db, { username: 'root', role: 'owner' }),
      audrey: await addUser(db, { username: 'audrey', role: 'auditor' }),
      alice: await addUser(db, { username: 'alice' }),
    };
    const id = await addInterception(db, { initiatorId: users.alice.id, provider: 'openai', model: 'gpt-4.1', startedAt: '2026-02-01T00:00:00Z' });
    await addTokenUsage(db, { interceptionId: id, input: 1_000_000, output: 10_000, createdAt: '2026-02-01T00:00:01Z' });
  },
);
