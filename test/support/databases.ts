import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { createPgliteDb } from '../../src/db/pglite.ts';
import { createPostgresDb } from '../../src/db/postgres.ts';

export type DbKind = 'pglite' | 'postgres';
export const TEMPLATE_DB = 'aibridge_test_template';

/** The databases every suite runs against: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DB_KINDS: DbKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** The same server with another database name. */
export function adminUrl(url: string, database = 'postgres'): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDb {
  db: Db;
  kind: DbKind;
  /** PostgreSQL only: the URL of this test's own database. */
  url?: string;
  close(): Promise<void>;
}

/** A fresh, migrated, empty database of the given kind. */
export async function createTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'pglite') {
    const dump = await readFile(process.env.PGLITE_TEMPLATE!);
    const db = await createPgliteDb(undefined, new Blob([dump]));
    return { db, kind, close: () => db.close() };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const name = `aibridge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(base) });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  await admin.end();
  const url = adminUrl(base, name);
  const db = createPostgresDb({ url, max: 4 });
  return {
    db,
    kind,
    url,
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: adminUrl(base) });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Declares the suite once per database kind. `setup` runs once per kind after the database is
 * created (insert fixtures there); the returned getter is valid inside tests.
 */
export function describeEachDb(title: string, body: (ctx: () => TestDb) => void, setup?: (t: TestDb) => Promise<void>) {
  for (const kind of DB_KINDS) {
    describe(`${title} [${kind}]`, () => {
      let t: TestDb | undefined;
      beforeAll(async () => {
        t = await createTestDb(kind);
        await setup?.(t);
      });
      afterAll(async () => {
        await t?.close();
      });
      body(() => {
        if (!t) throw new Error('database not ready');
        return t;
      });
    });
  }
}
