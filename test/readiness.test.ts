import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import { createTestDb, type TestDb } from './support/databases.ts';
import { call } from './support/http.ts';

/**
 * /readyz goes through Yoga's readiness plugin, which on its own would answer every URL that
 * ends in "/readyz"; the gateway hands it the one path only.
 */
let t: TestDb;
let app: App;
beforeAll(async () => {
  t = await createTestDb('pglite');
  app = createApp({ db: t.db });
});
afterAll(() => t?.close());

it('answers /readyz, with or without a query string, with {"status":"ready"} and the detected capabilities', async () => {
  for (const path of ['/readyz', '/readyz?probe=1']) {
    const res = await call(app, path);
    expect(res.status, path).toBe(200);
    // test/capabilities.test.ts pins the list per schema generation.
    expect(res.body, path).toEqual({ status: 'ready', capabilities: expect.any(Array) });
  }
});

it('answers 503 {"status":"unavailable"} with no database detail when the database does not answer', async () => {
  const failing = { ...t.db, query: async () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432')) };
  const res = await call(createApp({ db: failing }), '/readyz');
  expect(res.status).toBe(503);
  expect(res.body).toEqual({ status: 'unavailable', detail: 'the database is not reachable' });
});

it('leaves other paths that end in /readyz to their own handlers: 404 for unknown paths, GraphQL for /graphql', async () => {
  for (const path of ['/foo/readyz', '/graphql/readyz']) expect((await call(app, path)).status, path).toBe(404);
  const gql = await call(app, '/graphql?query=x&probe=/readyz');
  expect(gql.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
});
