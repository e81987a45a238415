import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import { createSharedReads } from '../../src/db/shared-reads.ts';
import { named, type Statement } from '../../src/db/sql.ts';
import { createTestDb, DB_KINDS } from '../support/databases.ts';
import { call } from '../support/http.ts';
import { seedScenario } from '../rest/scenario.ts';

const count = (viewer: string) => named('sessions.count')`SELECT count(*) AS n FROM t WHERE owner = ${viewer}`;

/** A send whose answer the test releases, counting how often it was called. */
function controlledSend() {
  const calls: { resolve: (rows: unknown[]) => void; reject: (e: Error) => void }[] = [];
  const send = () => new Promise<unknown[]>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, send };
}

it('sends an identical statement in flight once and gives every caller its rows', async () => {
  const shared = createSharedReads();
  const { calls, send } = controlledSend();
  const all = Promise.all([1, 2, 3].map(() => shared.run(count('alice'), send)));
  expect(calls).toHaveLength(1);
  calls[0].resolve([{ n: '7' }]);
  expect(await all).toEqual([[{ n: '7' }], [{ n: '7' }], [{ n: '7' }]]);
});

it('keys statements by their values, so another viewer (visibility filter) never shares a count', async () => {
  const shared = createSharedReads();
  const { calls, send } = controlledSend();
  const a = shared.run(count('alice'), send);
  const b = shared.run(count('bob'), send);
  expect(calls).toHaveLength(2);
  calls[0].resolve([{ n: '1' }]);
  calls[1].resolve([{ n: '2' }]);
  expect([await a, await b]).toEqual([[{ n: '1' }], [{ n: '2' }]]);
});

it('sends again once the shared statement has answered when no TTL is set (always exact)', async () => {
  const shared = createSharedReads();
  const { calls, send } = controlledSend();
  const first = shared.run(count('alice'), send);
  calls[0].resolve([{ n: '1' }]);
  await first;
  const second = shared.run(count('alice'), send);
  expect(calls).toHaveLength(2);
  calls[1].resolve([{ n: '2' }]);
  expect(await second).toEqual([{ n: '2' }]);
});

it('serves a result at most COUNT_CACHE_TTL_MS old, measured from when it was sent', async () => {
  let clock = 1_000;
  const shared = createSharedReads({ ttlMs: 2_000, now: () => clock });
  const { calls, send } = controlledSend();
  const first = shared.run(count('alice'), send);
  clock += 500; // the statement took 500 ms
  calls[0].resolve([{ n: '1' }]);
  await first;
  clock += 1_500; // 2 000 ms after it was sent: still fresh
  expect(await shared.run(count('alice'), send)).toEqual([{ n: '1' }]);
  expect(calls).toHaveLength(1);
  clock += 1;
  const late = shared.run(count('alice'), send);
  expect(calls).toHaveLength(2);
  calls[1].resolve([{ n: '5' }]);
  expect(await late).toEqual([{ n: '5' }]);
});

it('lets a joiner send its own statement when the shared one fails, the sender alone gets the error', async () => {
  const shared = createSharedReads();
  const { calls, send } = controlledSend();
  const sender = shared.run(count('alice'), send);
  const joiner = shared.run(count('alice'), send);
  calls[0].reject(new Error('replica went away'));
  await expect(sender).rejects.toThrow('replica went away');
  await Promise.resolve();
  expect(calls).toHaveLength(2);
  calls[1].resolve([{ n: '3' }]);
  expect(await joiner).toEqual([{ n: '3' }]);
});

// PGlite runs one snapshot at a time (one connection), so two counts are never in flight there.
for (const kind of DB_KINDS.filter((k) => k === 'postgres')) {
  it(`answers 4 concurrent identical (as many as the pool holds) GET /sessions with one count statement [${kind}]`, async () => {
    const t = await createTestDb(kind);
    try {
      const s = await seedScenario(t.db);
      const sent: Statement[] = [];
      // Each count takes 300 ms longer, so the requests' counts overlap whatever the scheduling.
      const slowCounts = (q: Pick<Db, 'query'>) => ({
        query: async (st: Statement) => {
          sent.push(st);
          if (st.name === 'sessions.count') await new Promise((r) => setTimeout(r, 300));
          return q.query(st) as never;
        },
      });
      const db: Db = { ...t.db, query: (st) => slowCounts(t.db).query(st), snapshot: (fn) => t.db.snapshot((inner) => fn(slowCounts(inner))) };
      const app = createApp({ db });
      const answers = await Promise.all(Array.from({ length: 4 }, () => call(app, '/api/v2/aibridge/sessions', { token: s.owner.token })));
      expect(answers.map((a) => a.status)).toEqual(Array(4).fill(200));
      expect(new Set(answers.map((a) => a.body.count))).toEqual(new Set([3]));
      expect(sent.filter((st) => st.name === 'sessions.count')).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
}
