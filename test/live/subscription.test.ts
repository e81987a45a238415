import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DocumentNode } from 'graphql';
import { afterEach, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import { named, type Statement } from '../../src/db/sql.ts';
import { SIGNED_OUT_MESSAGE } from '../../src/auth/viewer.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addUser } from '../support/fixtures.ts';
import { subscribe, type SseStream } from './sse.ts';

/**
 * Subscription.interceptionsEnded over Yoga's SSE transport (HTTP on a local port), against
 * PGlite and PostgreSQL. Interceptions are written straight into the database, as AI Bridge does;
 * their ended_at is the machine's clock, which is also the database's (the poller starts at the
 * database's now()).
 */

const ENDED = 'subscription Ended($filter: InterceptionFilter) { interceptionsEnded(filter: $filter) { uuid model endedAt initiator { username } } }';
const POLL = 'live.interceptionsEnded';

type User = { id: string; token: string; username: string };
let owner: User;
let alice: User;
let bob: User;

/** An ended_at a little before now: after the poller started, before the statement runs. */
const endedAgo = (ms: number) => new Date(Date.now() - ms).toISOString();

/** Records the names and times of the statements `db` sends until `stop()`. */
function recordStatements(db: Db) {
  const sent: { name: string; at: number }[] = [];
  const previous = db.onStatement;
  db.onStatement = (s: Statement) => {
    sent.push({ name: s.name, at: Date.now() });
    previous?.(s);
  };
  return {
    sent,
    polls: () => sent.filter((s) => s.name === POLL),
    stop: () => void (db.onStatement = previous),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const streams: SseStream[] = [];
const servers: Server[] = [];
let testDb: Db | undefined;
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  // The server side sees the clients leave a moment later: wait until the test's feeds have stopped
  // (no poll for 500 ms), so the next test counts only its own statements.
  if (testDb) {
    const rec = recordStatements(testDb);
    try {
      const deadline = Date.now() + 10_000;
      let seen = 0;
      let quietSince = Date.now();
      while (Date.now() - quietSince < 500 && Date.now() < deadline) {
        if (rec.polls().length !== seen) [seen, quietSince] = [rec.polls().length, Date.now()];
        await sleep(20);
      }
    } finally {
      rec.stop();
    }
  }
});

/**
 * An app on a real HTTP server (a client that goes away is seen as a closed socket, as in
 * production) whose subscriptions the test opens with fetch.
 */
async function setup(ctx: () => { db: Db }, live: AppDeps['live'] = {}, extra: Partial<AppDeps> = {}) {
  testDb = ctx().db;
  const app = createApp({ db: ctx().db, live: { pollMs: 100, pollMaxMs: 100, ...live }, ...extra });
  const server = createServer((req, res) => void app(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    app,
    open: async (token: string | undefined, variables?: Record<string, unknown>, query = ENDED) => {
      const s = await subscribe(fetch, url, query, { token, variables });
      streams.push(s);
      return s;
    },
  };
}

const uuids = (s: SseStream) => s.results().map((r) => (r.data?.interceptionsEnded as { uuid: string } | undefined)?.uuid);

describeEachDb(
  'live updates: interceptionsEnded',
  (ctx) => {
    /** Waits until `n` more polls have run: a subscriber is in the feed from the first one on. */
    async function polls(n: number) {
      const rec = recordStatements(ctx().db);
      try {
        const deadline = Date.now() + 10_000;
        while (rec.polls().length < n) {
          if (Date.now() > deadline) throw new Error(`fewer than ${n} polls in 10 s`);
          await sleep(10);
        }
      } finally {
        rec.stop();
      }
    }

    it('delivers each interception that ends after subscribing, in (endedAt, id) order, once', async () => {
      const { db } = ctx();
      const before = await addInterception(db, { initiatorId: alice.id, startedAt: endedAgo(50), endedAt: endedAgo(40) });
      const { open } = await setup(ctx);
      const s = await open(owner.token);
      await polls(1);
      // Written in one transaction, the later-ended one first: the poll reads them together and
      // sends them in ended_at order, the tie broken by id.
      const [a, b] = [randomUUID(), randomUUID()].sort();
      const late = randomUUID();
      const t0 = Date.now();
      await db.transaction(async (tx) => {
        await addInterception(tx, { id: late, initiatorId: bob.id, startedAt: new Date(t0 - 20).toISOString(), endedAt: new Date(t0 - 1).toISOString() });
        await addInterception(tx, { id: b, initiatorId: alice.id, startedAt: new Date(t0 - 20).toISOString(), endedAt: new Date(t0 - 5).toISOString() });
        await addInterception(tx, { id: a, initiatorId: alice.id, startedAt: new Date(t0 - 20).toISOString(), endedAt: new Date(t0 - 5).toISOString() });
      });
      await s.until((x) => x.events.length >= 3);
      await polls(3);
      expect(uuids(s)).toEqual([a, b, late]);
      expect(uuids(s)).not.toContain(before);
      expect(s.results()[0].data?.interceptionsEnded).toMatchObject({ initiator: { username: 'alice' } });
    });

    it('gives a member only their own interceptions, an owner everyone’s', async () => {
      const { db } = ctx();
      const { open } = await setup(ctx);
      const [forAlice, forOwner] = [await open(alice.token), await open(owner.token)];
      await polls(1);
      const bobs = await addInterception(db, { initiatorId: bob.id, startedAt: endedAgo(20), endedAt: endedAgo(1) });
      const alices = await addInterception(db, { initiatorId: alice.id, startedAt: endedAgo(20), endedAt: endedAgo(1) });
      await forOwner.until((x) => uuids(x).includes(alices) && uuids(x).includes(bobs));
      await forAlice.until((x) => uuids(x).includes(alices));
      await polls(2);
      expect(uuids(forAlice)).toEqual([alices]);
    });

    it('applies the filter, with the same meaning as the interceptions query', async () => {
      const { db } = ctx();
      const { open } = await setup(ctx);
      const gpt = await open(owner.token, { filter: { model: 'gpt-5' } });
      const mine = await open(alice.token, { filter: { initiator: 'me', client: 'Unknown' } });
      await polls(1);
      const wanted = await addInterception(db, { initiatorId: alice.id, model: 'gpt-5', client: null, startedAt: endedAgo(20), endedAt: endedAgo(1) });
      await addInterception(db, { initiatorId: alice.id, model: 'claude-sonnet-4-5', client: 'Claude Code', startedAt: endedAgo(20), endedAt: endedAgo(1) });
      await addInterception(db, { initiatorId: bob.id, model: 'gpt-5', client: 'Claude Code', startedAt: endedAgo(20), endedAt: endedAgo(1) });
      await gpt.until((x) => x.events.length >= 2);
      await mine.until((x) => x.events.length >= 1);
      await polls(2);
      expect(gpt.results().map((r) => (r.data?.interceptionsEnded as { model: string }).model)).toEqual(['gpt-5', 'gpt-5']);
      expect(uuids(mine)).toEqual([wanted]);
    });

    it('delivers a row that commits late within the late window once, and not one later than the window', async () => {
      const { db } = ctx();
      const lateWindowMs = 600;
      const { open } = await setup(ctx, { lateWindowMs });
      const s = await open(owner.token);
      await polls(1);
      const joined = Date.now();
      await sleep(lateWindowMs * 2);
      const newest = await addInterception(db, { initiatorId: alice.id, startedAt: endedAgo(20), endedAt: endedAgo(1) });
      await s.until((x) => uuids(x).includes(newest));
      // Both end after the subscriber joined but before the row already delivered (the
      // watermark), as a slow commit or a coderd whose clock is behind would write them: only
      // the one inside the window comes, once.
      const lateInside = await addInterception(db, { initiatorId: alice.id, startedAt: endedAgo(lateWindowMs / 2 + 50), endedAt: endedAgo(lateWindowMs / 2) });
      const lateOutside = await addInterception(db, { initiatorId: alice.id, startedAt: new Date(joined).toISOString(), endedAt: new Date(joined + 20).toISOString() });
      await s.until((x) => uuids(x).includes(lateInside));
      await polls(3);
      expect(uuids(s)).toEqual([newest, lateInside]);
      expect(uuids(s)).not.toContain(lateOutside);
    });

    it('sends no statement while nobody subscribes, and stops polling after the last subscriber leaves', async () => {
      const rec = recordStatements(ctx().db);
      try {
        const { open } = await setup(ctx);
        await sleep(400);
        expect(rec.sent).toEqual([]);
        const s = await open(owner.token);
        await polls(2);
        s.close();
        await sleep(150);
        const after = rec.sent.length;
        await sleep(500);
        expect(rec.sent.slice(after)).toEqual([]);
        expect(rec.polls().length).toBeGreaterThanOrEqual(2);
      } finally {
        rec.stop();
      }
    });

    it('costs one poll statement per interval for 200 SSE subscribers, and no other statement to deliver', async () => {
      const { db } = ctx();
      const pollMs = 200;
      const { open } = await setup(ctx, { pollMs, pollMaxMs: pollMs, maxPerUser: 200 });
      const tokens = [owner, alice, bob].map((u) => u.token);
      const subscribers = await Promise.all(Array.from({ length: 200 }, (_, i) => open(tokens[i % 3], undefined, 'subscription { interceptionsEnded { uuid model endedAt } }')));
      await polls(1);
      const rec = recordStatements(db);
      const started = Date.now();
      const ended = await addInterception(db, { initiatorId: alice.id, startedAt: endedAgo(20), endedAt: endedAgo(1) });
      const others = subscribers.filter((_, i) => i % 3 !== 2);
      await Promise.all(others.map((s) => s.until((x) => x.events.length >= 1)));
      await sleep(2000 - (Date.now() - started));
      rec.stop();
      const elapsed = Date.now() - started;
      const names = rec.sent.map((s) => s.name).filter((n) => n !== 'test');
      // One statement per interval whatever the number of subscribers (here ~10 in 2 s).
      expect(new Set(names)).toEqual(new Set([POLL]));
      expect(names.length).toBeLessThanOrEqual(Math.ceil(elapsed / pollMs) + 1);
      expect(names.length).toBeGreaterThanOrEqual(Math.floor(elapsed / pollMs / 2));
      // Alice's interception reached the owner's and alice's subscribers, not bob's.
      for (const [i, s] of subscribers.entries()) expect(uuids(s), `subscriber ${i}`).toEqual(i % 3 === 2 ? [] : [ended]);
      console.log(`200 subscribers: ${names.length} poll statements in ${elapsed} ms (interval ${pollMs} ms)`);
    });

    it('backs off while idle up to the cap and returns to the base interval on activity', async () => {
      const { db } = ctx();
      const { open } = await setup(ctx, { pollMs: 100, pollMaxMs: 1600 });
      const rec = recordStatements(db);
      try {
        const s = await open(owner.token);
        while (rec.polls().length < 6) await sleep(20);
        const gaps = (ts: { at: number }[]) => ts.slice(1).map((t, i) => t.at - ts[i].at);
        const idle = gaps(rec.polls());
        // 200, 400, 800, 1600, 1600 ms: doubling from the first empty poll, then capped. The
        // bounds leave room for timers firing late on a loaded machine.
        expect(idle[0]).toBeLessThan(600);
        expect(idle.at(-1)).toBeGreaterThanOrEqual(1400);
        expect(idle.at(-1)).toBeLessThan(2600);
        const n = rec.polls().length;
        const id = await addInterception(db, { initiatorId: alice.id, startedAt: endedAgo(20), endedAt: endedAgo(1) });
        await s.until((x) => uuids(x).includes(id), 5000);
        while (rec.polls().length < n + 2) await sleep(20);
        const [afterActivity] = gaps(rec.polls().slice(n));
        expect(afterActivity).toBeLessThan(600);
      } finally {
        rec.stop();
      }
    });

    it('refuses subscriptions over the per-user and process limits with TOO_MANY_SUBSCRIPTIONS, and frees a slot when a client leaves', async () => {
      const { open } = await setup(ctx, { maxPerUser: 2, maxSubscriptions: 3 });
      const first = await open(alice.token);
      await open(alice.token);
      const third = await open(alice.token);
      await third.until((x) => x.events.some((e) => e.event === 'complete'));
      expect(third.results()[0].errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'per-user', max: 2 });
      await open(bob.token);
      const fourth = await open(owner.token);
      await fourth.until((x) => x.events.some((e) => e.event === 'complete'));
      expect(fourth.results()[0].errors?.[0].extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'process', max: 3 });
      // A client that goes away (no event ever came for it) gives its slot back.
      first.close();
      await sleep(100);
      const again = await open(alice.token);
      await polls(2);
      expect(again.events).toEqual([]);
      expect(again.status).toBe(200);
    });

    it('refuses an unauthenticated subscription like a query (401, UNAUTHENTICATED)', async () => {
      const { open } = await setup(ctx);
      const s = await open(undefined);
      await s.ended;
      expect(s.status).toBe(401);
      expect(s.results()[0].errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      const wrong = await open('wrong-token');
      await wrong.ended;
      expect(wrong.status).toBe(401);
    });

    it('ends a stream with UNAUTHENTICATED once its key is deleted or expired, its user suspended or their read rights changed; others go on', async () => {
      const { db } = ctx();
      const recheck = { authRecheckMs: 150 };
      const { open } = await setup(ctx, recheck);
      const users = await Promise.all(
        ['gone', 'expired', 'suspended', 'deleted', 'demoted', 'kept'].map((name) => addUser(db, { username: `live-${name}`, role: name === 'demoted' ? 'owner' : 'member' })),
      );
      const [gone, expired, suspended, deleted, demoted, kept] = users;
      const streams = await Promise.all(users.map((u) => open(u.token)));
      await polls(1);
      const keyOf = (token: string) => token.split('-')[0];
      await db.query(named('test')`DELETE FROM api_keys WHERE id = ${keyOf(gone.token)}`);
      await db.query(named('test')`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = ${keyOf(expired.token)}`);
      await db.query(named('test')`UPDATE users SET status = 'suspended' WHERE id = ${suspended.id}`);
      await db.query(named('test')`UPDATE users SET deleted = true WHERE id = ${deleted.id}`);
      await db.query(named('test')`UPDATE users SET rbac_roles = '{}' WHERE id = ${demoted.id}`);
      const ended = streams.slice(0, 5);
      await Promise.all(ended.map((s) => s.until((x) => x.events.some((e) => e.event === 'complete'), 5000)));
      for (const s of ended) {
        expect(s.results().map((r) => r.errors?.[0].extensions?.code)).toEqual(['UNAUTHENTICATED']);
        expect(s.results()[0].errors?.[0].message).toBe(SIGNED_OUT_MESSAGE);
      }
      // The one whose key still holds gets what ends afterwards, and nothing of the others leaked.
      const id = await addInterception(db, { initiatorId: kept.id, startedAt: endedAgo(20), endedAt: endedAgo(1) });
      await streams[5].until((x) => uuids(x).includes(id));
      expect(streams[5].results().every((r) => !r.errors)).toBe(true);
      for (const s of ended) expect(uuids(s)).toEqual([undefined]);
    });

    it('stops polling once its last subscriber is signed out', async () => {
      const { db } = ctx();
      const { open } = await setup(ctx, { authRecheckMs: 150 });
      const last = await addUser(db, { username: 'live-last' });
      const s = await open(last.token);
      await polls(1);
      const rec = recordStatements(db);
      try {
        await db.query(named('test')`DELETE FROM api_keys WHERE id = ${last.token.split('-')[0]}`);
        await s.until((x) => x.events.some((e) => e.event === 'complete'), 5000);
        expect(s.results()[0].errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
        await sleep(500);
        // The check that signed it out is the last statement: no poll after it.
        const names = rec.sent.map((x) => x.name).filter((n) => n !== 'test');
        expect(names.at(-1)).toBe('auth.stillSignedIn');
        expect(names.filter((n) => n === 'auth.stillSignedIn')).toHaveLength(1);
      } finally {
        rec.stop();
      }
    });

    it('sends keep-alive comments while no interception ends', async () => {
      const { open } = await setup(ctx);
      const s = await open(owner.token);
      // Yoga pings every 12 s, every 300 ms under NODE_ENV=test (which vitest sets).
      await s.until((x) => x.comments >= 3, 5000);
      expect(s.events).toEqual([]);
    });

    it('applies the complexity limits and runs compiled (graphql-jit) like any repeated document', async () => {
      const compiled: DocumentNode[] = [];
      const { open } = await setup(ctx, {}, { onCompile: (d) => compiled.push(d) });
      const deep = await open(owner.token, undefined, `subscription { interceptionsEnded { ${'threadRoot { '.repeat(15)}uuid${' }'.repeat(15)} } }`);
      await deep.ended;
      expect(deep.results()[0].errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
      const runs = [await open(owner.token), await open(owner.token)];
      await polls(1);
      expect(compiled).toHaveLength(1);
      const id = await addInterception(ctx().db, { initiatorId: bob.id, startedAt: endedAgo(20), endedAt: endedAgo(1) });
      await Promise.all(runs.map((s) => s.until((x) => uuids(x).includes(id))));
      expect(runs[1].results()).toEqual(runs[0].results());
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'owner', role: 'owner' });
    alice = await addUser(db, { username: 'alice' });
    bob = await addUser(db, { username: 'bob' });
  },
);
