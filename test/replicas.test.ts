import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.ts';
import type { Db } from '../src/db/db.ts';
import { loadConfig } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { createPostgresDb } from '../src/db/postgres.ts';
import { replicaName, routeReads } from '../src/db/replicas.ts';
import { named } from '../src/db/sql.ts';
import { addSessions } from './graphql/fixtures.ts';
import { addUser } from './support/fixtures.ts';
import { call, gql } from './support/http.ts';
import { freePort } from './support/ports.ts';

/**
 * A real streaming replica: its own primary (scripts/pg-cluster.sh start) and a standby made by
 * pg_basebackup -R (scripts/pg-cluster.sh replica), on free loopback ports. Declared where the
 * suite has PostgreSQL (TEST_DATABASE_URL, as CI sets).
 */
const run = promisify(execFile);
const SCRIPT = path.resolve(import.meta.dirname, '../scripts/pg-cluster.sh');
const cluster = (...args: string[]) => run(SCRIPT, args, { timeout: 120_000 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** One query on its own connection (the test's view of a server, outside the gateway's pools). */
async function ask<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

const QUERY_SESSIONS = 'query($after: String) { sessions(first: 1, after: $after) { edges { cursor node { sessionId } } pageInfo { hasNextPage } } }';

if (process.env.TEST_DATABASE_URL) {
  describe('read replicas over a real PostgreSQL streaming replica', () => {
    let dir: string;
    let primaryUrl: string;
    let replicaUrl: string;
    let replicaPort: number;
    let token: string;
    let primary: Db;
    let replica: Db;
    let db: Db;
    let app: App;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-replica-'));
      await chmod(dir, 0o755); // the clusters run as the postgres user
      const primaryPort = await freePort();
      replicaPort = await freePort();
      primaryUrl = (await cluster('start', path.join(dir, 'primary'), String(primaryPort))).stdout.trim();
      const setup = createPostgresDb({ url: primaryUrl, max: 2 });
      await migrate(setup);
      const owner = await addUser(setup, { username: 'owner', role: 'owner' });
      token = owner.token;
      await addSessions(setup, owner.id, 3, 1);
      await setup.close();
      replicaUrl = (await cluster('replica', path.join(dir, 'replica'), String(replicaPort), String(primaryPort))).stdout.trim();
      primary = createPostgresDb({ url: primaryUrl, max: 4 });
      replica = createPostgresDb({ url: replicaUrl, max: 4 });
      db = routeReads(primary, [{ name: replicaName(replicaUrl), db: replica }], { minBackoffMs: 50, maxBackoffMs: 400 });
      app = createApp({ db });
    }, 180_000);

    afterAll(async () => {
      await db?.close();
      if (dir) {
        await cluster('stop', path.join(dir, 'replica')).catch(() => {});
        await cluster('stop', path.join(dir, 'primary')).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('serves the gateway reads from the standby: its backends ran them, the primary saw none', async () => {
      expect((await ask<{ standby: boolean }>(replicaUrl, 'SELECT pg_is_in_recovery() AS standby'))[0].standby).toBe(true);
      const res = await call(app, '/api/v2/aibridge/sessions', { token });
      expect(res.status).toBe(200);
      expect(res.body.count).toBe(3);
      // pg_stat_activity keeps each backend's last statement: the gateway's named ones on the
      // standby, no gateway backend at all on the primary.
      const ranOn = async (url: string) =>
        (await ask<{ query: string }>(url, `SELECT query FROM pg_stat_activity WHERE application_name = 'aibridge-graphql'`)).map((r) => r.query);
      const onReplica = await ranOn(replicaUrl);
      expect(onReplica.length).toBeGreaterThan(0);
      for (const q of onReplica) expect(q).toMatch(/^\/\* (auth|sessions|users|tokenTotals|networkCalls|schema)\.[A-Za-z]+ \*\//);
      expect(await ranOn(primaryUrl)).toEqual([]);
      expect(db.replicaStatus!()[0]).toMatchObject({ healthy: true, served: expect.any(Number) });
      expect(db.replicaStatus!()[0].served).toBeGreaterThan(0);
    });

    it('opens the replicas for serve only: the CLI (replicas: false) gets the primary alone', async () => {
      const config = { ...loadConfig({ DATABASE_URL: primaryUrl, READ_ONLY: '1' }), replicaUrls: [replicaUrl] };
      const served = await openDatabase(config, { seedDemo: false, replicas: true });
      const cli = await openDatabase(config, { seedDemo: false });
      try {
        // The schema detection at open is already a read, served by the replica.
        expect(served.db.replicaStatus?.()).toEqual([{ name: replicaName(replicaUrl), healthy: true, served: expect.any(Number) }]);
        expect('replicaStatus' in cli.db).toBe(false);
      } finally {
        await served.db.close();
        await cli.db.close();
      }
    });

    it('sends writes to the primary: a transaction writes there, while a plain query (a read) reaches the read-only standby', async () => {
      await db.transaction(async (tx) => {
        await tx.query(named('test.write')`CREATE TABLE replica_probe (x int)`);
        await tx.query(named('test.write')`INSERT INTO replica_probe VALUES (1)`);
      });
      // Streamed to the standby, where the reads find it.
      await until('the row to reach the standby', async () => (await db.query(named('test.read')`SELECT x FROM replica_probe`)).length === 1);
      await expect(db.query(named('test.write')`INSERT INTO replica_probe VALUES (1)`)).rejects.toThrow(/read-only transaction/);
    });

    it('loses no request when the replica stops under load, and reads return to it once it is back', async () => {
      const statuses: number[] = [];
      const seenDown: boolean[] = [];
      let running = true;
      const paths = ['/api/v2/aibridge/sessions', '/api/v2/aibridge/interceptions?limit=5'];
      const worker = async (n: number) => {
        for (let k = n; running; k++) {
          const res = k % 3 === 2 ? await gql(app, QUERY_SESSIONS, {}, token) : await call(app, paths[k % 2], { token });
          statuses.push(res.status === 200 && !res.body?.errors ? 200 : res.status || 599);
          seenDown.push(!db.replicaStatus!()[0].healthy);
        }
      };
      const load = Promise.all([0, 1, 2, 3].map(worker));
      await sleep(800);
      await cluster('stop', path.join(dir, 'replica'));
      await sleep(1_500);
      await cluster('start', path.join(dir, 'replica'), String(replicaPort));
      await sleep(1_000);
      running = false;
      await load;
      expect(statuses.length).toBeGreaterThan(20);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(seenDown).toContain(true); // the primary did answer while the replica was gone

      await until('the replica to be taken back', () => Promise.resolve(db.replicaStatus!()[0].healthy));
      const before = db.replicaStatus!()[0].served;
      expect((await call(app, '/api/v2/aibridge/sessions', { token })).status).toBe(200);
      expect(db.replicaStatus!()[0].served).toBeGreaterThan(before);
    }, 60_000);

    it('/readyz lists the replica: unavailable while it is down (the gateway stays ready on the primary), ready again when back', async () => {
      await cluster('stop', path.join(dir, 'replica'));
      try {
        await call(app, '/api/v2/aibridge/sessions', { token }); // a read finds it gone
        const down = await call(app, '/readyz');
        expect(down.status).toBe(200);
        expect(down.body).toEqual({ status: 'ready', capabilities: expect.any(Array), replicas: [{ name: replicaName(replicaUrl), status: 'unavailable' }] });
        expect(down.text).not.toContain('postgres@');
      } finally {
        await cluster('start', path.join(dir, 'replica'), String(replicaPort));
      }
      await until('the replica to be taken back', () => Promise.resolve(db.replicaStatus!()[0].healthy));
      expect((await call(app, '/readyz')).body).toEqual({ status: 'ready', capabilities: expect.any(Array), replicas: [{ name: replicaName(replicaUrl), status: 'ready' }] });
    }, 60_000);

    it('walks every session with GraphQL cursors while reads alternate between a lagging standby and an up-to-date server', async () => {
      // Replay paused: the standby stops at the three sessions; the primary gets two more.
      await ask(replicaUrl, 'SELECT pg_wal_replay_pause()');
      const lagging = createPostgresDb({ url: replicaUrl, max: 2 });
      const current = createPostgresDb({ url: primaryUrl, max: 2 });
      const mixed = routeReads(createPostgresDb({ url: primaryUrl, max: 1 }), [
        { name: 'lagging', db: lagging },
        { name: 'current', db: current },
      ]);
      try {
        const writer = createPostgresDb({ url: primaryUrl, max: 1 });
        const [{ id: ownerId }] = await writer.query<{ id: string }>(named('test.owner')`SELECT id FROM users WHERE username = 'owner'`);
        await addSessions(writer, ownerId, 2, 1, 'late');
        await writer.close();
        const mixedApp = createApp({ db: mixed });
        const seen: string[] = [];
        let after: string | undefined;
        for (let page = 0; page < 10; page++) {
          const res = await gql(mixedApp, QUERY_SESSIONS, { after }, token);
          expect(res.body.errors).toBeUndefined();
          const { edges, pageInfo } = res.body.data.sessions;
          seen.push(...edges.map((e: { node: { sessionId: string } }) => e.node.sessionId));
          if (!pageInfo.hasNextPage) break;
          after = edges.at(-1).cursor;
        }
        // Every session both servers have is listed once, whichever server answered each page.
        expect(seen.filter((id) => id.startsWith('s-')).sort()).toEqual(['s-000', 's-001', 's-002']);
        expect(new Set(seen).size).toBe(seen.length);
        expect(mixed.replicaStatus!().map((r) => r.served > 0)).toEqual([true, true]);
      } finally {
        await ask(replicaUrl, 'SELECT pg_wal_replay_resume()');
        await mixed.close();
      }
    }, 60_000);
  });
}
