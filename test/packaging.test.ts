import { execFile } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer } from './support/process.ts';

/**
 * What a deployment gets: the repository's tracked files plus the built dist/, installed with
 * `npm ci --omit=dev --omit=optional` (packages from npm's cache where it has them). The gateway
 * must run from that alone: no TypeScript runtime, no Prisma CLI, no test packages. Prisma's
 * client is there: the gateway's own data (price overrides) is read and written with it, its
 * generated code compiled into dist/. The client names `prisma` and `typescript` as optional
 * peers, and npm installs an optional peer that is also a development dependency (lockfile
 * `devOptional`) unless optional packages are omitted too: hence `--omit=optional`.
 */
const run = promisify(execFile);
const exists = (p: string) => access(p).then(() => true, () => false);

describe('production install (npm ci --omit=dev --omit=optional)', () => {
  let dir: string;
  let app: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-package-'));
    app = path.join(dir, 'app');
    await run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
    const { stdout } = await run('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const tracked = stdout.split('\0').filter(Boolean);
    await mkdir(app);
    for (const file of tracked) {
      // A file deleted but not yet committed is still listed; the copy is of the working tree.
      if (await exists(path.join(ROOT, file))) await cp(path.join(ROOT, file), path.join(app, file), { recursive: true });
    }
    await cp(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
    await run('npm', ['ci', '--omit=dev', '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  }, 120_000);

  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('installs no build or test tooling: no tsx, TypeScript, prisma CLI, vitest', async () => {
    for (const pkg of ['tsx', 'typescript', 'prisma', 'vitest']) {
      expect(await exists(path.join(app, 'node_modules', pkg)), pkg).toBe(false);
    }
    expect(await exists(path.join(app, 'src/generated'))).toBe(false);
  });

  it('lets npm start run there: its build step keeps the given dist/ when TypeScript is absent', async () => {
    const prestart = await run('npm', ['run', 'prestart', '--silent'], { cwd: app });
    expect(prestart.stderr).toBe('');
    expect(await exists(path.join(app, 'dist/main.js'))).toBe(true);
  });

  it('serves the embedded demo through the bin from the compiled code: /healthz 200 and GraphQL with the printed token', async () => {
    const data = path.join(dir, 'data');
    const server = await startServer({ DATA_DIR: data }, { entry: { cwd: app, args: ['bin/aibridge-graphql.mjs'] }, timeoutMs: 60_000 });
    try {
      expect(server.log()).toMatch(/first start: writing \d+ demo interceptions/);
      const health = await fetch(server.url.replace('/graphql', '/healthz'));
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Coder-Session-Token': server.token! },
        body: JSON.stringify({ query: '{ viewer { username } }' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { viewer: { username: 'admin' } } });
      // Prices come from the package and the gateway's table through Prisma's client: both installed.
      const priced = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Coder-Session-Token': server.token! },
        body: JSON.stringify({ query: '{ usage { totals { cost { total source } } } modelPrices { totalCount } }' }),
      });
      const body = (await priced.json()) as { data: { usage: { totals: { cost: { total: string; source: string } } }; modelPrices: { totalCount: number } } };
      expect(body.data.usage.totals.cost.source).toBe('PRICE_BOOK');
      expect(Number(body.data.usage.totals.cost.total)).toBeGreaterThan(0);
      expect(body.data.modelPrices.totalCount).toBe(0);
    } finally {
      expect(await server.stop(), server.log()).toBe(0);
    }
  }, 90_000);
});
