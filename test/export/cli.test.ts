import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createPgliteDb } from '../../src/db/pglite.ts';
import { createToken } from '../../src/db/users.ts';
import { seed } from '../../src/db/seed.ts';
import { createTestDb, DB_KINDS, type TestDb } from '../support/databases.ts';
import { call } from '../support/http.ts';
import { runCli } from '../support/process.ts';

// Each CLI run is a process of its own (tsx): seconds each on a busy machine.

/** `export …` writes exactly the bytes the endpoint answers an owner, and exits 0/1/2 as documented. */
async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-export-cli-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const CASES: { args: string[]; path: string }[] = [
  { args: ['export', 'interceptions', '--format', 'csv', '--q', 'provider:anthropic'], path: '/api/v2/aibridge/export/interceptions?format=csv&q=provider%3Aanthropic' },
  { args: ['export', 'interceptions'], path: '/api/v2/aibridge/export/interceptions' },
  { args: ['export', 'sessions', '--format', 'ndjson'], path: '/api/v2/aibridge/export/sessions' },
  { args: ['export', 'usage', '--format', 'csv', '--group-by', 'model,client', '--bucket', 'week', '--time-zone', 'America/New_York'],
    path: '/api/v2/aibridge/export/usage?format=csv&group_by=model,client&bucket=week&time_zone=America/New_York' },
];

describe.each(DB_KINDS)('export CLI [%s]', (kind) => {
  it('writes the same bytes as the HTTP body, with progress (rows and rate) on stderr', async () => {
    const dir = await tempDir();
    let env: Record<string, string>;
    let t: TestDb | undefined;
    if (kind === 'postgres') {
      t = await createTestDb('postgres');
      onTestFinished(() => t!.close());
      await seed(t.db, { interceptions: 400, seed: 9 });
      env = { DATABASE_URL: t.url! };
    } else {
      env = { DATA_DIR: path.join(dir, 'data') };
      const seeded = await runCli(['seed', '--interceptions', '400'], env);
      expect(seeded.code, seeded.stderr).toBe(0);
    }
    const outputs: Buffer[] = [];
    for (const [n, c] of CASES.entries()) {
      const out = path.join(dir, `out-${n}`);
      const r = await runCli([...c.args, '--out', out], env);
      expect(r.code, r.stderr).toBe(0);
      if (c.args[1] === 'interceptions') expect(r.stderr).toMatch(/\d+\/\d+ rows, [\d,]+ rows\/s/);
      outputs.push(await readFile(out));
    }
    // The embedded database is one process's: read it over HTTP only once the CLI has exited.
    const db = t?.db ?? (await createPgliteDb(path.join(dir, 'data', 'pglite')));
    try {
      const app = createApp({ db });
      const token = await createToken(db, 'admin');
      for (const [n, c] of CASES.entries()) {
        const res = await call(app, c.path, { token });
        expect(res.status, c.path).toBe(200);
        expect(outputs[n].length, c.path).toBeGreaterThan(100);
        expect(outputs[n].equals(Buffer.from(res.text)), c.path).toBe(true);
      }
    } finally {
      if (!t) await db.close();
    }
  }, 480_000);
});

describe('export CLI exit codes', () => {
  it('2 for a wrong command line or search (before any database is written), 1 when the database fails', async () => {
    const env = { DATA_DIR: path.join(await tempDir(), 'data') };
    for (const args of [
      ['export', 'interceptions', '--format', 'xml'],
      ['export', 'interceptions', '--q', 'colour:blue'],
      ['export', 'sessions', '--bucket', 'day'],
      ['export', 'usage', '--bucket', 'fortnight'],
      ['export', 'planets'],
    ]) {
      const r = await runCli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/usage: aibridge-graphql/);
    }
    const down = await runCli(['export', 'interceptions'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(down.code, down.stderr).toBe(1);
    const help = await runCli(['export', 'usage', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--group-by/);
  }, 480_000);
});
