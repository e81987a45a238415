import { mkdtemp, rm } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDb } from '../src/db/postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { addUser } from './support/fixtures.ts';
import { ROOT, startServer, type RunningServer } from './support/process.ts';

/**
 * Faults against a PostgreSQL cluster of the test's own, which it stops and starts: requests get
 * a quick 503 while the database is gone, /readyz says so, and the gateway recovers by itself.
 * Runs where CI provides PostgreSQL (TEST_DATABASE_URL set), since it needs the server binaries.
 */
const run = promisify(execFile);
const cluster = path.join(ROOT, 'scripts/pg-cluster.sh');

describe.runIf(process.env.TEST_DATABASE_URL)('database faults and shutdown [postgres]', () => {
  let dir: string;
  let url: string;
  let server: RunningServer;
  let token: string;
  const port = String(30000 + Math.floor(Math.random() * 20000));
  const start = async () => (await run(cluster, ['start', dir, port])).stdout.trim();
  const stop = () => run(cluster, ['stop', dir]);

  const viewer = (t = token) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Coder-Session-Token': t },
      body: JSON.stringify({ query: '{ viewer { username } }' }),
    });
  const readyz = () => fetch(server.url.replace('/graphql', '/readyz'));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-faults-'));
    await run('chmod', ['755', dir]);
    url = await start();
    const db = createPostgresDb({ url, max: 1 });
    await migrate(db);
    token = (await addUser(db, { username: 'ops', role: 'owner' })).token;
    await db.close();
    server = await startServer({ DATABASE_URL: url });
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 quickly while the database is down, then recovers on its own', async () => {
    expect((await viewer()).status).toBe(200);
    await stop();

    const t0 = Date.now();
    const down = await viewer();
    expect(Date.now() - t0).toBeLessThan(6_000);
    expect(down.status).toBe(503);
    const body = await down.json();
    expect(body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at .*\.ts/);

    const rest = await fetch(server.url.replace('/graphql', '/api/v2/aibridge/models'), { headers: { 'Coder-Session-Token': token } });
    expect(rest.status).toBe(503);
    expect(await rest.json()).toEqual({ message: 'The database is unavailable.', detail: 'Try again shortly.' });

    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'unavailable' });

    await start();
    let ready = 0;
    for (let i = 0; i < 50 && ready !== 200; i++) {
      ready = (await readyz()).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready).toBe(200);
    expect((await viewer()).status).toBe(200);
  }, 60_000);

  it('drains an in-flight request on SIGTERM and exits 0', async () => {
    // Hold the table the token check reads, so a request is in flight when the signal comes.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
    const pending = viewer();
    await new Promise((r) => setTimeout(r, 300));
    const exited = server.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    await locker.query('COMMIT');
    await locker.end();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { viewer: { username: 'ops' } } });
    expect(await exited).toBe(0);
  }, 30_000);
});
