import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { pricesCommand } from '../../src/cli/prices.ts';
import { loadConfig } from '../../src/config.ts';
import type { Db } from '../../src/db/db.ts';
import { named, sql } from '../../src/db/sql.ts';
import { openPriceStore } from '../../src/prices/state-store.ts';
import { createTestDb, type TestDb } from '../support/databases.ts';
import { addInterception, addTokenUsage, addUser } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';

/** A Coder price file as Coder writes one: nulls for unknown prices, a free model. */
const CODER_FILE = [
  { provider: 'anthropic', model: 'claude-sonnet-4-5', input_price: 3_000_000, output_price: 15_000_000, cache_read_price: 300_000, cache_write_price: 3_750_000 },
  { provider: 'copilot', model: 'gpt-4.1', input_price: 0, output_price: 0, cache_read_price: null, cache_write_price: null },
  { provider: 'openai', model: 'gpt-5', input_price: 1_250_000, output_price: 10_000_000, cache_read_price: 125_000, cache_write_price: null },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'prices-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await pricesCommand(argv, env, (t) => (stdout += t), (t) => (stderr += t));
  return { code, stdout, stderr };
}

/** Every row of every table in public, hashed: equal hashes = the same contents. */
async function contents(db: Db): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(named('test.tables')`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ h: string | null }>(named('test.tableHash')`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM ${sql.ident(name)} t`);
    out[name] = row.h ?? 'empty';
  }
  return out;
}

describe('prices CLI', () => {
  it('imports a Coder price file and exports it back unchanged (embedded mode)', async () => {
    const env = { DATA_DIR: path.join(dir, 'embedded') };
    const file = path.join(dir, 'prices.json');
    await writeFile(file, JSON.stringify([...CODER_FILE].reverse()));
    const imported = await run(['import', file], env);
    expect(imported, imported.stderr).toMatchObject({ code: 0 });
    expect(imported.stderr).toMatch(/imported 3 prices/);
    const exported = await run(['export'], env);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual(CODER_FILE);
    const listed = await run(['list'], env);
    expect(listed.stdout.trim().split('\n')).toEqual([
      'provider\tmodel\teffective_from\tinput_price\toutput_price\tcache_read_price\tcache_write_price\tnote',
      'anthropic\tclaude-sonnet-4-5\t1970-01-01T00:00:00.000Z\t3000000\t15000000\t300000\t3750000\tprices import',
      'copilot\tgpt-4.1\t1970-01-01T00:00:00.000Z\t0\t0\t-\t-\tprices import',
      'openai\tgpt-5\t1970-01-01T00:00:00.000Z\t1250000\t10000000\t125000\t-\tprices import',
    ]);
  });

  it('exports only the prices in force: a later import --effective-from in the future is listed but not exported', async () => {
    const env = { DATA_DIR: path.join(dir, 'embedded') };
    const file = path.join(dir, 'future.json');
    await writeFile(file, JSON.stringify([{ ...CODER_FILE[2], input_price: 1 }]));
    expect((await run(['import', file, '--effective-from', '2999-01-01T00:00:00Z'], env)).code).toBe(0);
    expect(JSON.parse((await run(['export'], env)).stdout)).toEqual(CODER_FILE);
    expect((await run(['list'], env)).stdout).toMatch(/openai\tgpt-5\t2999-01-01T00:00:00.000Z\t1\t/);
  });

  it('refuses a malformed file with exit code 2, naming the entry, and writes nothing', async () => {
    const env = { DATA_DIR: path.join(dir, 'embedded') };
    const before = (await run(['list'], env)).stdout;
    const file = path.join(dir, 'bad.json');
    for (const bad of [[CODER_FILE[0], { ...CODER_FILE[1], input_price: -5 }], [CODER_FILE[0], CODER_FILE[0]], { not: 'an array' }]) {
      await writeFile(file, JSON.stringify(bad));
      const r = await run(['import', file], env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/entry 1|array/);
    }
    expect((await run(['import', path.join(dir, 'missing.json')], env)).code).toBe(2);
    expect((await run(['frobnicate'], env)).code).toBe(2);
    expect((await run(['list'], env)).stdout).toBe(before);
  });
});

describe('READ_ONLY=1: overrides live outside the Coder database', () => {
  let coder: TestDb;
  beforeAll(async () => {
    coder = await createTestDb('pglite');
  });
  afterAll(async () => {
    await coder.close();
  });

  it('imports into PGlite in DATA_DIR/state without opening the Coder database', async () => {
    // The Coder URL points nowhere: any attempt to open it would fail the command.
    const env = { READ_ONLY: '1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: path.join(dir, 'ro') };
    const file = path.join(dir, 'ro.json');
    await writeFile(file, JSON.stringify(CODER_FILE));
    const r = await run(['import', file], env);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(r.stderr).toMatch(/into the data-dir/);
    expect(JSON.parse((await run(['export'], env)).stdout)).toEqual(CODER_FILE);
  });

  it('stores a setModelPrice in the state store, applies it to usage, and leaves every Coder table unchanged', async () => {
    const owner = await addUser(coder.db, { username: 'root', role: 'owner' });
    const id = await addInterception(coder.db, { initiatorId: owner.id, provider: 'openai', model: 'gpt-4.1', startedAt: '2026-02-01T00:00:00Z' });
    await addTokenUsage(coder.db, { interceptionId: id, input: 1_000_000, createdAt: '2026-02-01T00:00:01Z' });
    const before = await contents(coder.db);

    const store = await openPriceStore(loadConfig({ READ_ONLY: '1', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: path.join(dir, 'ro-app') }));
    try {
      const app = createApp({ db: coder.db, prisma: store.prisma });
      const set = await gql(app, 'mutation { setModelPrice(input: { provider: "openai", model: "gpt-4.1", inputPrice: 7000000, outputPrice: 0 }) { uuid } }', undefined, owner.token);
      expect(set.body.errors).toBeUndefined();
      const usage = await gql(app, '{ usage { totals { cost { total } } } }', undefined, owner.token);
      expect(usage.body.data.usage.totals.cost.total).toBe('7.000000');
      expect(await store.prisma.modelPrice.count()).toBe(1);
    } finally {
      await store.close();
    }
    expect(await contents(coder.db)).toEqual(before);
  });

  it('answers usage from package prices when there is no store, and refuses price changes with FAILED_PRECONDITION', async () => {
    const token = (await addUser(coder.db, { username: 'root2', role: 'owner' })).token;
    const app = createApp({ db: coder.db, prisma: null });
    const usage = await gql(app, '{ usage { totals { cost { total } } } }', undefined, token);
    expect(usage.body.data.usage.totals.cost.total).toBe('2.000000');
    const set = await gql(app, 'mutation { setModelPrice(input: { provider: "openai", model: "gpt-4.1", inputPrice: 1 }) { uuid } }', undefined, token);
    expect(set.body.errors[0].extensions.code).toBe('FAILED_PRECONDITION');
  });
});

describe('a Coder database without the gateway\'s table, served with no state store configured', () => {
  let coder: TestDb;
  beforeAll(async () => {
    coder = await createTestDb('pglite');
    await coder.db.exec('DROP TABLE gateway_model_prices');
  });
  afterAll(async () => {
    await coder.close();
  });

  it('prices usage from the package, lists no overrides, and refuses writes with FAILED_PRECONDITION', async () => {
    const owner = await addUser(coder.db, { username: 'root', role: 'owner' });
    const id = await addInterception(coder.db, { initiatorId: owner.id, provider: 'openai', model: 'gpt-4.1', startedAt: '2026-02-01T00:00:00Z' });
    await addTokenUsage(coder.db, { interceptionId: id, input: 1_000_000, createdAt: '2026-02-01T00:00:01Z' });
    const app = createApp({ db: coder.db });
    const read = await gql(app, '{ usage { totals { cost { total } } } modelPrices { totalCount edges { node { model } } } }', undefined, owner.token);
    expect(read.body).toEqual({ data: { usage: { totals: { cost: { total: '2.000000' } } }, modelPrices: { totalCount: 0, edges: [] } } });
    const set = await gql(app, 'mutation { setModelPrice(input: { provider: "openai", model: "gpt-4.1", inputPrice: 1 }) { uuid } }', undefined, owner.token);
    expect(set.body.errors[0].extensions.code).toBe('FAILED_PRECONDITION');
  });
});
