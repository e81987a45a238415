import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addPrompt, addUser, countStatements } from '../support/fixtures.ts';
import { call } from '../support/http.ts';

let owner: { id: string; token: string };
let interception: string;

const COST_HEADER_VALUE = /^statements=(\d+), db-ms=(\d+(?:\.\d{1,3})?)(?:, complexity=(\d+))?$/;

function post(app: ReturnType<typeof createApp>, body: unknown, headers: Record<string, string> = {}) {
  return call(app, '/graphql', { method: 'POST', token: owner.token, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const NESTED = 'query Page($n: Int!) { interceptions(first: $n) { edges { node { model userPrompts { prompt } } } } }';

describeEachDb(
  'per-response cost',
  (ctx) => {
    it('REST: X-Query-Cost: 1 adds the statement count and database time as a header; the body is unchanged', async () => {
      const app = createApp({ db: ctx().db });
      const path = `/api/v2/aibridge/sessions/${interception}`;
      const plain = await call(app, path, { token: owner.token });
      expect(plain.headers.get('x-query-cost')).toBeNull();
      const { result: costed, statements } = await countStatements(ctx().db, () => call(app, path, { token: owner.token, headers: { 'x-query-cost': '1' } }));
      expect(costed.status).toBe(200);
      expect(costed.text).toBe(plain.text);
      const match = COST_HEADER_VALUE.exec(costed.headers.get('x-query-cost') ?? '');
      expect(match).not.toBeNull();
      expect(Number(match![1])).toBe(statements.length);
      expect(Number(match![2])).toBeGreaterThan(0);
      expect(match![3]).toBeUndefined();
    });

    it('GraphQL: extensions.cost asked in the request returns statements, database time and complexity', async () => {
      const app = createApp({ db: ctx().db });
      const plain = await post(app, { query: NESTED, variables: { n: 5 } });
      expect(plain.body.extensions).toBeUndefined();
      expect(plain.headers.get('x-query-cost')).toBeNull();

      const { result: small, statements } = await countStatements(ctx().db, () => post(app, { query: NESTED, variables: { n: 5 }, extensions: { cost: true } }));
      expect(small.body.data).toEqual(plain.body.data);
      const cost = small.body.extensions.cost as { statements: number; dbMs: number; complexity: number };
      expect(cost.statements).toBe(statements.length);
      expect(cost.dbMs).toBeGreaterThan(0);
      // Connections charge their page size (src/graphql/pagination.ts): a larger page costs more.
      const large = await post(app, { query: NESTED, variables: { n: 50 }, extensions: { cost: true } });
      expect(cost.complexity).toBeGreaterThan(0);
      expect(large.body.extensions.cost.complexity).toBeGreaterThan(cost.complexity);
    });

    it('GraphQL: the X-Query-Cost header asks too, and the response carries both header and extension', async () => {
      const app = createApp({ db: ctx().db });
      const res = await post(app, { query: NESTED, variables: { n: 5 } }, { 'x-query-cost': '1' });
      const { statements, dbMs, complexity } = res.body.extensions.cost as { statements: number; dbMs: number; complexity: number };
      expect(res.headers.get('x-query-cost')).toBe(`statements=${statements}, db-ms=${dbMs}, complexity=${complexity}`);
    });

    it('GraphQL: picks the complexity of the operation that runs in a document of several', async () => {
      const app = createApp({ db: ctx().db });
      const document = `query Small { viewer { username } } ${NESTED}`;
      const small = await post(app, { query: document, operationName: 'Small', extensions: { cost: true } });
      const page = await post(app, { query: document, operationName: 'Page', variables: { n: 50 }, extensions: { cost: true } });
      expect(small.body.extensions.cost.complexity).toBeLessThan(page.body.extensions.cost.complexity);
    });

    it('GraphQL: bad variables get the usual client error when cost is asked, with the cost of what ran', async () => {
      const app = createApp({ db: ctx().db });
      const plain = await post(app, { query: NESTED, variables: {} });
      const costed = await post(app, { query: NESTED, variables: {}, extensions: { cost: true } });
      expect(costed.status).toBe(plain.status);
      expect(costed.body.errors).toEqual(plain.body.errors);
      expect(costed.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(costed.body.extensions.cost).toEqual({ statements: expect.any(Number), dbMs: expect.any(Number) });
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'cost-owner', role: 'owner' });
    interception = await addInterception(db, { initiatorId: owner.id, startedAt: '2026-03-01T10:00:00Z' });
    await addPrompt(db, { interceptionId: interception, prompt: 'hello', createdAt: '2026-03-01T10:00:01Z' });
  },
);
