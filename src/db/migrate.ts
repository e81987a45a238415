import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';
import { named } from './sql.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));

// Prisma's own bookkeeping table, so `prisma migrate deploy` agrees with what we applied.
const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id varchar(36) PRIMARY KEY NOT NULL,
    checksum varchar(64) NOT NULL,
    finished_at timestamptz,
    migration_name varchar(255) NOT NULL,
    logs text,
    rolled_back_at timestamptz,
    started_at timestamptz NOT NULL DEFAULT now(),
    applied_steps_count integer NOT NULL DEFAULT 0
)`;

// The key Prisma's migrate takes, so replicas starting together apply migrations once.
const LOCK_KEY = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(`${dir}/${name}/migration.sql`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies pending migrations in order; returns the names applied. Those named in `skip` are left
 * pending (tests build an older Coder generation by skipping the one that brings the current).
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR, skip: readonly string[] = []): Promise<string[]> {
  const migrations = (await readMigrations(dir)).filter((m) => !skip.includes(m.name));
  return db.transaction(async (tx) => {
    await tx.query(named('migrate.lock')`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.exec(BOOKKEEPING);
    const done = await tx.query<{ migration_name: string; checksum: string }>(named('migrate.applied')`
      SELECT migration_name, checksum FROM _prisma_migrations WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`);
    const applied = new Map(done.map((r) => [r.migration_name, r.checksum]));
    const ran: string[] = [];
    for (const m of migrations) {
      const previous = applied.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) throw new Error(`migration ${m.name} was changed after it was applied`);
        continue;
      }
      for (const statement of splitStatements(m.sql)) await tx.exec(statement);
      await tx.query(named('migrate.record')`
        INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count)
        VALUES (${randomUUID()}, ${m.checksum}, now(), ${m.name}, 1)`);
      ran.push(m.name);
    }
    return ran;
  });
}

/** Splits a migration file into statements; our migrations hold no functions or quoted semicolons. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}
