import { expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { SIGNED_OUT_MESSAGE } from '../src/auth/viewer.ts';
import type { Db } from '../src/db/db.ts';
import { createPostgresDb } from '../src/db/postgres.ts';
import { createTestDb, describeEachDb, type DbKind } from './support/databases.ts';
import { freePort } from './support/ports.ts';
import { addUser } from './support/fixtures.ts';
import { call, gql } from './support/http.ts';

let owner: { token: string; id: string };

/**
 * A database of the given kind that is really gone, so the error is the driver's own: a closed
 * PGlite, or PostgreSQL at an address that refuses connections.
 */
async function goneDb(kind: DbKind): Promise<{ db: Db; dispose(): Promise<void> }> {
  if (kind === 'pglite') {
    const t = await createTestDb('pglite');
    await t.close();
    return { db: t.db, dispose: async () => {} };
  }
  const db = createPostgresDb({ url: `postgres://nobody@127.0.0.1:${await freePort()}/gone`, max: 1 });
  return { db, dispose: () => db.close() };
}

describeEachDb(
  'app wiring',
  (ctx) => {
    it('answers /healthz ok and /readyz ready in JSON while the database is up', async () => {
      const app = createApp({ db: ctx().db });
      const health = await call(app, '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      const ready = await call(app, '/readyz');
      expect(ready.status).toBe(200);
      // Plus the optional Coder parts detected (test/capabilities.test.ts pins the list).
      expect(ready.body).toEqual({ status: 'ready', capabilities: expect.any(Array) });
    });

    it('answers { viewer } for an authenticated caller', async () => {
      const app = createApp({ db: ctx().db });
      const res = await gql(app, '{ viewer { username uuid } }', undefined, owner.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: { viewer: { username: 'root', uuid: owner.id } } });
    });

    it('rejects a wrong token with a 401 JSON body', async () => {
      const app = createApp({ db: ctx().db });
      const res = await gql(app, '{ viewer { username } }', undefined, `${owner.token.slice(0, 11)}${'x'.repeat(22)}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.body.errors[0]).toMatchObject({ message: SIGNED_OUT_MESSAGE, extensions: { code: 'UNAUTHENTICATED', detail: 'API key secret is invalid.' } });
    });

    it('serves GraphiQL to a browser without a token', async () => {
      const app = createApp({ db: ctx().db });
      const res = await call(app, '/graphql', { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect(res.text).toContain('GraphiQL');
    });

    it('prefills GraphiQL headers only when given (the embedded demo), with the default query', async () => {
      const demo = await call(createApp({ db: ctx().db, graphiqlHeaders: { 'Coder-Session-Token': owner.token } }), '/graphql', { headers: { accept: 'text/html' } });
      expect(demo.text).toContain(owner.token);
      expect(demo.text).toContain('RecentSessions');
      const plain = await call(createApp({ db: ctx().db }), '/graphql', { headers: { accept: 'text/html' } });
      expect(plain.text).not.toContain(owner.token);
      expect(plain.text).toContain('RecentSessions');
    });

    it('turns introspection and GraphiQL off by configuration', async () => {
      const introspect = '{ __schema { queryType { name } } }';
      const on = await gql(createApp({ db: ctx().db }), introspect, undefined, owner.token);
      expect(on.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      const locked = createApp({ db: ctx().db, introspection: false, graphiql: false });
      const off = await gql(locked, introspect, undefined, owner.token);
      expect(off.body.data).toBeUndefined();
      expect(off.body.errors[0].message).toMatch(/introspection/i);
      const page = await call(locked, '/graphql', { headers: { accept: 'text/html' } });
      expect(page.text).not.toContain('GraphiQL');
      const still = await gql(locked, '{ viewer { username } }', undefined, owner.token);
      expect(still.body).toEqual({ data: { viewer: { username: 'root' } } });
    });

    it('answers 503 on GraphQL, REST and /readyz while its database is gone', async () => {
      const gone = await goneDb(ctx().kind);
      try {
        const app = createApp({ db: gone.db });
        const graphql = await gql(app, '{ viewer { username } }', undefined, owner.token);
        expect(graphql.status).toBe(503);
        expect(graphql.body.errors[0]).toMatchObject({ message: 'The database is unavailable.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
        const rest = await call(app, '/api/v2/aibridge/models', { token: owner.token });
        expect(rest.status).toBe(503);
        expect(rest.body).toEqual({ message: 'The database is unavailable.', detail: 'Try again shortly.' });
        const ready = await call(app, '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.body.status).toBe('unavailable');
      } finally {
        await gone.dispose();
      }
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
  },
);
