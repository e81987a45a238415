import { ClientError } from 'graphql-request';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import type { Statement } from '../../src/db/sql.ts';
import { LIMITS } from '../../src/graphql/builder.ts';
import { COMPILE_AFTER_RUNS } from '../../src/graphql/execution.ts';
import { describeEachDb } from '../support/databases.ts';
import { addUser } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';
import { client } from './client.ts';
import { addSessions } from './fixtures.ts';
import { graphql } from './generated/index.ts';

let owner: { id: string; token: string };

const Page = graphql(`
  query ErrorsPage($first: Int, $last: Int, $after: String, $filter: InterceptionFilter) {
    interceptions(first: $first, last: $last, after: $after, filter: $filter) { edges { node { uuid } } }
  }
`);

const Threads = graphql(`
  query ErrorsThreads($first: Int) {
    sessions(first: 1) { edges { node { threads(first: $first) { edges { node { uuid } } } } } }
  }
`);

const Costly = graphql(`
  query ErrorsCostly {
    sessions(first: 1000) { edges { node { threads(first: 200) { edges { node { interceptions { uuid } } } } } } }
  }
`);

const Tools = graphql(`
  query ErrorsTools {
    interceptions(first: 1) { edges { node { toolUsages { tool } } } }
  }
`);

/** The first error of a failed request. */
async function failure(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ClientError);
  return (err as ClientError).response.errors![0];
}

describeEachDb(
  'GraphQL errors and limits',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    it('bounds first/last at 1000 (threads at 200) with BAD_USER_INPUT', async () => {
      const c = client(app(), owner.token);
      expect((await c.request(Page, { first: 1000 })).interceptions.edges).toHaveLength(12);
      for (const vars of [{ first: 1001 }, { last: 1001 }, { first: -1 }, { first: 1, last: 1 }] as { first?: number; last?: number }[]) {
        expect(await failure(c.request(Page, vars))).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      }
      expect((await c.request(Threads, { first: 200 })).sessions.edges).toHaveLength(1);
      expect(await failure(c.request(Threads, { first: 201 }))).toMatchObject({
        message: '"first" must be between 0 and 200.',
        extensions: { code: 'BAD_USER_INPUT' },
      });
    });

    it('rejects bad cursors and filters with BAD_USER_INPUT', async () => {
      const c = client(app(), owner.token);
      const forged = Buffer.from(JSON.stringify({ startedAt: "x'; DROP TABLE users; --", id: '1' })).toString('base64url');
      for (const after of ['garbage', forged]) {
        expect(await failure(c.request(Page, { first: 1, after }))).toMatchObject({ message: 'Invalid pagination cursor in "after".', extensions: { code: 'BAD_USER_INPUT' } });
      }
      expect(await failure(c.request(Page, { filter: { initiator: 'nobody' } }))).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(await failure(c.request(Page, { filter: { startedAfter: '2026-01-02T00:00:00Z', startedBefore: '2026-01-01T00:00:00Z' } })))
        .toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      const badDate = await failure(c.request(Page, { filter: { startedAfter: 'yesterday' } }));
      expect(badDate.message).toMatch(/DateTime/);
    });

    it('bounds depth, breadth (aliases) and cost with QUERY_TOO_COMPLEX before resolving anything', async () => {
      const db = ctx().db;
      let deep = 'uuid';
      for (let n = 0; n < LIMITS.depth; n++) deep = `threadRoot { ${deep} }`;
      const depth = await gql(app(), `{ interceptions(first: 1) { edges { node { ${deep} } } } }`, undefined, owner.token);
      expect(depth.body.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth' } });

      // Under the alias limit (test/hardening/limits.test.ts), over the breadth one.
      const aliases = Array.from({ length: Math.ceil(LIMITS.breadth / 5) + 1 }, (_, n) => `a${n}: viewer { uuid username name avatarUrl }`).join(' ');
      const breadth = await gql(app(), `{ ${aliases} }`, undefined, owner.token);
      expect(breadth.body.errors[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'breadth' } });
      expect(breadth.body.errors[0].message).toMatch(/aliases included/);

      const statements: string[] = [];
      db.onStatement = (s) => statements.push(s.text);
      try {
        const cost = await failure(client(app(), owner.token).request(Costly));
        expect(cost).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'complexity' } });
      } finally {
        db.onStatement = undefined;
      }
      // Only authentication ran: the page was refused before any data was read.
      expect(statements).toHaveLength(1);
    });

    it('masks unexpected failures: no SQL, no internals', async () => {
      const real = ctx().db;
      const broken: Db = {
        ...real,
        query: <T,>(s: Statement) =>
          /aibridge_tool_usages/.test(s.text) ? Promise.reject(new Error('relation "secret_table" does not exist: SELECT password')) : real.query<T>(s),
      };
      const res = await gql(createApp({ db: broken }), '{ interceptions(first: 1) { edges { node { uuid toolUsages { tool } } } } }', undefined, owner.token);
      expect(res.body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      expect(res.text).not.toMatch(/secret|SELECT|password|stack/i);
      // The typed document fails the same way through graphql-request.
      expect(await failure(client(createApp({ db: broken }), owner.token).request(Tools))).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    });

    it('reports a value the server cannot represent (an enum value Coder added) as INTERNAL_SERVER_ERROR, compiled or not', async () => {
      const real = ctx().db;
      const newer: Db = {
        ...real,
        query: async <T,>(s: Statement) => {
          const rows = await real.query<T>(s);
          return rows.map((r) => (r && typeof r === 'object' && 'credentialKind' in r ? { ...r, credentialKind: 'delegated' } : r));
        },
      };
      const served = createApp({ db: newer });
      // Enough runs for the compiled (graphql-jit) path to answer the later ones.
      for (let run = 0; run < COMPILE_AFTER_RUNS + 2; run++) {
        const res = await gql(served, '{ interceptions(first: 1) { edges { node { uuid credentialKind } } } }', undefined, owner.token);
        expect(res.body.errors, `run ${run}`).toEqual([expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      }
    });

    it('answers 401 UNAUTHENTICATED without a valid token', async () => {
      const res = await gql(app(), '{ viewer { uuid } }');
      expect(res.status).toBe(401);
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
    await addSessions(db, owner.id, 3, 2);
  },
);
