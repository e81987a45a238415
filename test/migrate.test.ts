import { named } from '../src/db/sql.ts';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR, readMigrations, splitStatements } from '../src/db/migrate.ts';
import { CODER_CURRENT_MIGRATION, describeEachDb } from './support/databases.ts';

it('splits a migration into statements, dropping comment lines', () => {
  expect(splitStatements('-- a comment; with a semicolon\nCREATE TABLE a (x int);\n\nCREATE INDEX b ON a (x);\n')).toEqual([
    'CREATE TABLE a (x int)',
    'CREATE INDEX b ON a (x)',
  ]);
});

describeEachDb('migrations', (ctx) => {
  it('records each migration in Prisma\'s _prisma_migrations with its checksum and is idempotent', async () => {
    const { db } = ctx();
    const expected = await readMigrations();
    const rows = await db.query<{ migration_name: string; checksum: string; finished_at: string | null }>(named('test')`SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`);
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(expected.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    expect(await migrate(db)).toEqual([]);
  });

  it('applies a new migration once and refuses one edited after it was applied', async () => {
    const { db } = ctx();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await cp(path.join(dir, (await readMigrations())[0].name), path.join(dir, '29990101000000_extra'), { recursive: true });
    await writeFile(path.join(dir, '29990101000000_extra', 'migration.sql'), 'CREATE TABLE extra_probe (x int);\n');
    expect(await migrate(db, dir)).toEqual(['29990101000000_extra']);
    expect(await migrate(db, dir)).toEqual([]);
    const first = path.join(dir, (await readMigrations())[0].name, 'migration.sql');
    await writeFile(first, `${await readFile(first, 'utf8')}\n-- edited\n`);
    await expect(migrate(db, dir)).rejects.toThrow(/was changed after it was applied/);
  });
  // Every migration applied (the current generation), whatever TEST_SCHEMA picks for other suites.
}, undefined, 'current');

describeEachDb('migrations with one skipped', (ctx) => {
  it('leaves a skipped migration pending and applies it later, whatever came after it', async () => {
    const { db } = ctx();
    const all = await readMigrations();
    const applied = await db.query<{ migration_name: string }>(named('test')`SELECT migration_name FROM _prisma_migrations ORDER BY migration_name`);
    expect(applied.map((r) => r.migration_name)).toEqual(all.filter((m) => m.name !== CODER_CURRENT_MIGRATION).map((m) => m.name));
    expect(await migrate(db, undefined, [CODER_CURRENT_MIGRATION])).toEqual([]);
    expect(await migrate(db)).toEqual([CODER_CURRENT_MIGRATION]);
  });
}, undefined, 'seed-era');
