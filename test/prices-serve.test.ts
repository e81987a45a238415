import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createPgliteDb } from '../src/db/pglite.ts';
import { named } from '../src/db/sql.ts';
import { createTestDb } from './support/databases.ts';
import { addInterception, addTokenUsage, addUser } from './support/fixtures.ts';
import { runCli, startServer } from './support/process.ts';

/** What `serve` and the `prices` command wire together: the price store each mode uses. */

async function tempDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-prices-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function graphql(url: string, token: string, query: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'Coder-Session-Token': token }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

const MODEL_PRICES = '{ modelPrices(first: 10) { edges { node { provider model inputPrice } } } }';

describe('prices from the command line and serve', () => {
  it('a price file imported with the bin is the override serve answers (embedded)', async () => {
    const dir = await tempDir();
    const dataDir = path.join(dir, 'data');
    const file = path.join(dir, 'prices.json');
    await writeFile(file, JSON.stringify([
      { provider: 'anthropic', model: 'claude-test', input_price: 3000000, output_price: 15000000, cache_read_price: 300000, cache_write_price: null },
    ]));
    const imported = await runCli(['prices', 'import', file], { DATA_DIR: dataDir });
    expect(imported.code, imported.stderr).toBe(0);
    expect((await runCli(['user', 'create', '--username', 'boss', '--role', 'owner'], { DATA_DIR: dataDir })).code).toBe(0);
    const token = (await runCli(['token', 'create', '--username', 'boss'], { DATA_DIR: dataDir })).stdout.trim();

    const server = await startServer({ DATA_DIR: dataDir });
    try {
      const res = await graphql(server.url, token, MODEL_PRICES);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ modelPrices: { edges: [{ node: { provider: 'anthropic', model: 'claude-test', inputPrice: 3000000 } }] } });
    } finally {
      await server.stop();
    }
    // Three CLI runs and a server, each opening PGlite: tens of seconds on a busy machine.
  }, 180_000);

  it('lists prices among the commands and describes itself', async () => {
    const general = await runCli(['--help'], {});
    expect(general.code).toBe(0);
    expect(general.stdout).toContain('prices import FILE | export | list');
    const own = await runCli(['prices', '--help'], {});
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/prices import FILE[\s\S]*prices export[\s\S]*prices list/);
  });

  describe.runIf(process.env.TEST_DATABASE_URL)('over a Coder database with READ_ONLY=1', () => {
    it('keeps a price set through GraphQL in DATA_DIR/state and writes nothing to the Coder database', async () => {
      const coder = await createTestDb('postgres');
      onTestFinished(() => coder.close());
      const owner = await addUser(coder.db, { username: 'boss', role: 'owner' });
      const dataDir = path.join(await tempDir(), 'data');
      const server = await startServer({ DATABASE_URL: coder.url!, READ_ONLY: '1', DATA_DIR: dataDir });
      try {
        const set = await graphql(server.url, owner.token, 'mutation { setModelPrice(input: { provider: "openai", model: "gpt-test", inputPrice: 1250000 }) { model } }');
        expect(set.errors).toBeUndefined();
        expect((await graphql(server.url, owner.token, MODEL_PRICES)).data).toEqual({
          modelPrices: { edges: [{ node: { provider: 'openai', model: 'gpt-test', inputPrice: 1250000 } }] },
        });
      } finally {
        await server.stop();
      }
      const [inCoder] = await coder.db.query<{ n: string }>(named('test.prices.coderRows')`SELECT count(*) AS n FROM gateway_model_prices`);
      expect(inCoder.n).toBe('0');
      const state = await createPgliteDb(path.join(dataDir, 'state'));
      try {
        const rows = await state.query<{ model: string }>(named('test.prices.stateRows')`SELECT model FROM gateway_model_prices`);
        expect(rows).toEqual([{ model: 'gpt-test' }]);
      } finally {
        await state.close();
      }
    }, 120_000);

    it('keeps the usage roll-ups in DATA_DIR/state, answers usage as without them, and writes nothing to the Coder database', async () => {
      const coder = await createTestDb('postgres');
      onTestFinished(() => coder.close());
      const owner = await addUser(coder.db, { username: 'boss', role: 'owner' });
      // Requests of two days ago: hours long closed, which the refresher rolls up at once.
      const day = Date.now() - 2 * 86_400_000;
      for (let n = 0; n < 6; n++) {
        const startedAt = new Date(day + n * 1_800_000).toISOString();
        const id = await addInterception(coder.db, { initiatorId: owner.id, startedAt, endedAt: new Date(day + n * 1_800_000 + 1500 + n).toISOString(), model: n % 2 ? 'claude-sonnet-4-5' : 'claude-haiku-4-5' });
        await addTokenUsage(coder.db, { interceptionId: id, input: 1000 * (n + 1), output: 300, cacheRead: 5000, createdAt: startedAt });
      }
      const USAGE = `{ usage(groupBy: [MODEL], bucket: HOUR, filter: { startedAfter: "${new Date(day - 3_600_000).toISOString()}", startedBefore: "${new Date(day + 4 * 3_600_000).toISOString()}" })
        { totals { requests sessions inputTokens cacheReadTokens durationMs { p50 p95 } cost { total cacheSavings } } groups { model bucketStart figures { requests cost { total } } } } }`;
      const dataDir = path.join(await tempDir(), 'data');
      const env = { DATABASE_URL: coder.url!, READ_ONLY: '1', DATA_DIR: dataDir };

      const live = await startServer({ ...env, USAGE_ROLLUP_INTERVAL_MS: '0' });
      let withoutRollups: unknown;
      try {
        withoutRollups = await graphql(live.url, owner.token, USAGE);
      } finally {
        await live.stop();
      }
      expect((withoutRollups as { errors?: unknown }).errors).toBeUndefined();

      const rolled = await startServer({ ...env, USAGE_ROLLUP_INTERVAL_MS: '200' });
      try {
        await expect.poll(() => rolled.log(), { timeout: 60_000, interval: 200 }).toContain('usage roll-ups refreshed');
        // The copy the app answers from is loaded after the refresh, not by the first request.
        await expect.poll(() => rolled.log(), { timeout: 60_000, interval: 200 }).toMatch(/"hours":\d+.*usage roll-up copy loaded/);
        expect(await graphql(rolled.url, owner.token, USAGE)).toEqual(withoutRollups);
      } finally {
        await rolled.stop();
      }
      const [inCoder] = await coder.db.query<{ n: string }>(named('test.rollups.coderRows')`SELECT count(*) AS n FROM gateway_usage_rollups`);
      expect(inCoder.n).toBe('0');
      const state = await createPgliteDb(path.join(dataDir, 'state'));
      try {
        const [rows] = await state.query<{ n: string }>(named('test.rollups.stateRows')`SELECT sum(requests) AS n FROM gateway_usage_rollups`);
        expect(rows.n).toBe('6');
      } finally {
        await state.close();
      }
    }, 180_000);
  });
});
