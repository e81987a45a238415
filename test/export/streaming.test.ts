import { createServer, get as httpGet, type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { named } from '../../src/db/sql.ts';
import { seed } from '../../src/db/seed.ts';
import { createToken } from '../../src/db/users.ts';
import { describeEachDb, type TestDb } from '../support/databases.ts';
import { addInterception } from '../support/fixtures.ts';
import { call } from '../support/http.ts';

/**
 * What streaming promises: one snapshot on PostgreSQL (rows written meanwhile are not in it),
 * keyset pages on PGlite (other requests run between them), and a client that goes away
 * releases the connection at once without an error in the logs.
 */
let owner = '';
const EXPORT = '/api/v2/aibridge/export/interceptions';

const ids = (text: string) => text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);

/** Reads the body until at least `bytes` arrived; the rest stays unread (the export waits). */
async function readSome(reader: ReadableStreamDefaultReader<Uint8Array>, bytes: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let n = 0;
  while (n < bytes) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
  }
  return chunks;
}

async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>, chunks: Uint8Array[]): Promise<string> {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString();
}

/** Resolves when `check` holds, polling; fails after `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<number> {
  const t = performance.now();
  while (!(await check())) {
    if (performance.now() - t > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t;
}

/** Backends of the test database running a statement or holding a transaction (an export's snapshot), but this one. */
async function busyExportBackends(t: TestDb): Promise<number> {
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
    );
    return Number(r.rows[0].n);
  } finally {
    await c.end();
  }
}

describeEachDb(
  'export streaming',
  (ctx) => {
    it('PostgreSQL exports one snapshot: rows written during the export are absent, none lost or repeated; PGlite pages by keyset', async () => {
      const app = createApp({ db: ctx().db });
      const before = ids((await call(app, EXPORT, { token: owner })).text);
      expect(before.length).toBeGreaterThan(2000);
      const res = await app.fetch(`http://localhost${EXPORT}`, { headers: { 'Coder-Session-Token': owner } });
      const reader = res.body!.getReader();
      const chunks = await readSome(reader, 1);
      // Oldest of all (last in the export's order) and newest of all (first, already passed).
      const [admin] = await ctx().db.query<{ id: string }>(named('test.admin')`SELECT id FROM users WHERE username = 'admin'`);
      const oldest = await addInterception(ctx().db, { initiatorId: admin.id, startedAt: '2001-01-01T00:00:00Z' });
      const newest = await addInterception(ctx().db, { initiatorId: admin.id, startedAt: '2099-01-01T00:00:00Z' });
      try {
        const during = ids(await readRest(reader, chunks));
        expect(new Set(during).size).toBe(during.length);
        expect(during).not.toContain(newest);
        if (ctx().kind === 'postgres') expect(during).toEqual(before);
        else expect(during).toEqual([...before, oldest]);
      } finally {
        await ctx().db.query(named('test.cleanup')`DELETE FROM aibridge_interceptions WHERE id = ANY(${[oldest, newest]}::uuid[])`);
      }
    });

    it('other requests are answered while an export waits for its reader', async () => {
      const app = createApp({ db: ctx().db });
      const res = await app.fetch(`http://localhost${EXPORT}`, { headers: { 'Coder-Session-Token': owner } });
      const reader = res.body!.getReader();
      await readSome(reader, 1);
      const list = await call(app, '/api/v2/aibridge/interceptions?limit=1', { token: owner });
      expect(list.status).toBe(200);
      await reader.cancel();
    });

    it('a client that disconnects mid-export frees its connection at once, with no error logged', async () => {
      const lines: string[] = [];
      const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => void (lines.push(chunk.toString()), done()) }));
      const app = createApp({ db: ctx().db, log });
      const server: Server = createServer((req, res) => void app(req, res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const { port } = server.address() as AddressInfo;
        const received = await new Promise<number>((resolve, reject) => {
          const req = httpGet({ host: '127.0.0.1', port, path: EXPORT, headers: { 'Coder-Session-Token': owner } }, (res) => {
            let n = 0;
            res.on('data', (d: Buffer) => {
              n += d.length;
              if (n > 256 * 1024) {
                req.destroy();
                resolve(n);
              }
            });
            res.on('end', () => reject(new Error(`the whole export (${n} bytes) arrived before the disconnect`)));
          });
          req.on('error', () => {});
        });
        expect(received).toBeGreaterThan(0);
        if (ctx().kind === 'postgres') {
          const pool = (ctx().db as unknown as { pool: pg.Pool }).pool;
          await eventually(async () => pool.idleCount === pool.totalCount && (await busyExportBackends(ctx())) === 0);
        }
        // The database answers the next request at once (PGlite: its one connection is free).
        const t = performance.now();
        expect((await call(app, '/api/v2/aibridge/interceptions?limit=1', { token: owner })).status).toBe(200);
        expect(performance.now() - t).toBeLessThan(2000);
        await new Promise((r) => setTimeout(r, 200));
        const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
        expect(errors).toEqual([]);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  },
  async (t) => {
    await seed(t.db, { interceptions: 2300, seed: 3 });
    // Large prompts: an export far larger than the socket buffers, so it is mid-stream when the client leaves.
    await t.db.query(named('test.bigPrompts')`UPDATE aibridge_user_prompts SET prompt = repeat('lorem ipsum ', 4000)`);
    owner = await createToken(t.db, 'admin');
  },
);
