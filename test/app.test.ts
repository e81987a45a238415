import { expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { SIGNED_OUT_MESSAGE } from '../src/auth/viewer.ts';
import { describeEachDb } from './support/databases.ts';
import { addUser } from './support/fixtures.ts';
import { call, gql } from './support/http.ts';

let owner: { token: string; id: string };

describeEachDb(
  'app wiring',
  (ctx) => {
    it('answers /healthz and /readyz with JSON', async () => {
      const app = createApp({ db: ctx().db });
      const health = await call(app, '/healthz');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok' });
      const ready = await call(app, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ready' });
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

    it('says 503 on /readyz when the database is gone', async () => {
      const db = ctx().db;
      const failing = { ...db, query: async () => Promise.reject(new Error('connection refused')) };
      const res = await call(createApp({ db: failing }), '/readyz');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
  },
);
