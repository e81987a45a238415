import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Db, Queryable } from '../../src/db/db.ts';
import { describeEachDb, type TestDb } from '../support/databases.ts';
import { addInterception } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';
import { seedScenario, type Scenario } from './scenario.ts';

let s: Scenario;

/**
 * `db` whose snapshots, about to send the statement named `before` (the count), first wait for
 * the one named `after` (the page) to have answered and then run `write`: rows committed between
 * a list's page and its count. PostgreSQL commits them at once on another pooled connection;
 * PGlite's single connection is held by the snapshot, so there the write lands after it
 * (awaiting it inside would wait forever).
 */
function writingBetweenReads(t: TestDb, after: string, before: string, write: () => Promise<void>) {
  const state = { wrote: false, pending: Promise.resolve() };
  const hooked = (inner: Queryable): Queryable => {
    let answered: Promise<unknown> = Promise.reject(new Error(`${before} sent before ${after}`));
    answered.catch(() => {});
    return {
      async query(statement) {
        if (statement.name === before && !state.wrote) {
          await answered;
          state.wrote = true;
          state.pending = write();
          if (t.kind === 'postgres') await state.pending;
        }
        const rows = inner.query(statement);
        if (statement.name === after) answered = rows;
        return rows as never;
      },
    };
  };
  const db: Db = { ...t.db, query: (st) => t.db.query(st), snapshot: (fn) => t.db.snapshot((inner) => fn(hooked(inner))) };
  return { db, state };
}

const addCompleted = (db: Queryable, initiatorId: string, n: number, tag: string) =>
  Promise.all(
    Array.from({ length: n }, (_, k) =>
      addInterception(db, { initiatorId, startedAt: new Date(Date.UTC(2026, 5, 1, 0, 0, k)).toISOString(), clientSessionId: `${tag}-${k}` }),
    ),
  ).then(() => undefined);

describeEachDb(
  'REST lists read page and count in one snapshot',
  (ctx) => {
    it('GET /sessions answers a count equal to its rows when sessions are written between the page and the count', async () => {
      const { db, state } = writingBetweenReads(ctx(), 'sessions.page', 'sessions.count', () => addCompleted(ctx().db, s.alice.id, 3, 'between-sessions'));
      const first = await call(createApp({ db }), '/api/v2/aibridge/sessions?limit=100', { token: s.owner.token });
      expect(state.wrote).toBe(true);
      await state.pending;
      expect(first.status).toBe(200);
      expect(first.body.count).toBe(first.body.sessions.length);
      // The rows were written: the next request sees them, in its page and its count alike.
      const next = await call(createApp({ db: ctx().db }), '/api/v2/aibridge/sessions?limit=100', { token: s.owner.token });
      expect(next.body.count).toBe(first.body.count + 3);
      expect(next.body.sessions).toHaveLength(next.body.count);
    });

    it('GET /interceptions answers a count equal to its rows when interceptions are written between the page and the count', async () => {
      const { db, state } = writingBetweenReads(ctx(), 'interceptions.page', 'interceptions.count', () => addCompleted(ctx().db, s.bob.id, 2, 'between-interceptions'));
      const first = await call(createApp({ db }), '/api/v2/aibridge/interceptions?limit=100', { token: s.owner.token });
      expect(state.wrote).toBe(true);
      await state.pending;
      expect(first.status).toBe(200);
      expect(first.body.count).toBe(first.body.results.length);
      const next = await call(createApp({ db: ctx().db }), '/api/v2/aibridge/interceptions?limit=100', { token: s.owner.token });
      expect(next.body.count).toBe(first.body.count + 2);
    });

    it('GraphQL sessions answers totalCount equal to its edges when sessions are written between the page and the count', async () => {
      const { db, state } = writingBetweenReads(ctx(), 'sessions.page', 'sessions.count', () => addCompleted(ctx().db, s.alice.id, 2, 'between-gql-sessions'));
      const res = await gql(createApp({ db }), '{ sessions(first: 100) { totalCount edges { node { sessionId } } } }', undefined, s.owner.token);
      expect(state.wrote).toBe(true);
      await state.pending;
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.sessions.totalCount).toBe(res.body.data.sessions.edges.length);
      const next = await gql(createApp({ db: ctx().db }), '{ sessions(first: 100) { totalCount } }', undefined, s.owner.token);
      expect(next.body.data.sessions.totalCount).toBe(res.body.data.sessions.totalCount + 2);
    });

    it('GraphQL interceptions answers totalCount equal to its edges when interceptions are written between the page and the count', async () => {
      const { db, state } = writingBetweenReads(ctx(), 'interceptions.page', 'interceptions.count', () => addCompleted(ctx().db, s.bob.id, 2, 'between-gql-interceptions'));
      const res = await gql(createApp({ db }), '{ interceptions(first: 100) { ...counted edges { node { id } } } } fragment counted on InterceptionConnection { n: totalCount }', undefined, s.owner.token);
      expect(state.wrote).toBe(true);
      await state.pending;
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.interceptions.n).toBe(res.body.data.interceptions.edges.length);
    });

    it('refuses writes inside a snapshot (READ ONLY)', async () => {
      await expect(ctx().db.snapshot((q) => addInterception(q, { initiatorId: s.bob.id, startedAt: '2026-06-02T00:00:00Z' }))).rejects.toThrow(/read-only transaction/);
    });
  },
  async (t) => {
    s = await seedScenario(t.db);
  },
);
