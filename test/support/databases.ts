import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { createPgliteDb } from '../../src/db/pglite.ts';
import { createPostgresDb } from '../../src/db/postgres.ts';

export type DbKind = 'pglite' | 'postgres';

/**
 * The two Coder schema generations the suite runs against: `seed-era` (SPEC section 2, what an
 * older Coder database holds) and `current` (every migration: coder-current.sql's additions).
 */
export type SchemaGeneration = 'seed-era' | 'current';
export const GENERATIONS: readonly SchemaGeneration[] = ['seed-era', 'current'];

/** The migration that brings Coder's tables from the seed era to the current generation. */
export const CODER_CURRENT_MIGRATION = '20261130010000_coder_current';

/**
 * The generation tests get unless they ask: TEST_SCHEMA=seed-era runs the whole suite over the
 * older schema (the gateway must work there unchanged).
 */
export function defaultGeneration(): SchemaGeneration {
  const v = process.env.TEST_SCHEMA ?? 'current';
  if (v !== 'seed-era' && v !== 'current') throw new Error(`TEST_SCHEMA must be seed-era or current, not ${v}`);
  return v;
}

/** The PostgreSQL template database of a generation. */
export const templateDb = (g: SchemaGeneration) => `aibridge_test_template_${g.replace('-', '_')}`;

/** The environment variable naming the PGlite dump of a generation. */
export const pgliteTemplateVar = (g: SchemaGeneration) => `PGLITE_TEMPLATE_${g.replace('-', '_').toUpperCase()}`;

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

/** A fresh, migrated, empty database of the given kind and schema generation. */
export async function createTestDb(kind: DbKind, generation: SchemaGeneration = defaultGeneration()): Promise<TestDb> {
  if (kind === 'pglite') {
    const dump = await readFile(process.env[pgliteTemplateVar(generation)]!);
    const db = await createPgliteDb(undefined, new Blob([dump]));
    return { db, kind, close: () => db.close() };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const name = `aibridge_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(base) });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${templateDb(generation)}`);
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
export function describeEachDb(
  title: string,
  body: (ctx: () => TestDb) => void,
  setup?: (t: TestDb) => Promise<void>,
  generation: SchemaGeneration = defaultGeneration(),
) {
  for (const kind of DB_KINDS) {
    describe(`${title} [${kind}]`, () => {
      let t: TestDb | undefined;
      beforeAll(async () => {
        t = await createTestDb(kind, generation);
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

/** `describeEachDb` once per schema generation (titles say which). */
export function describeEachGeneration(
  title: string,
  body: (ctx: () => TestDb, generation: SchemaGeneration) => void,
  setup?: (t: TestDb, generation: SchemaGeneration) => Promise<void>,
) {
  for (const g of GENERATIONS) {
    describeEachDb(`${title} (${g} schema)`, (ctx) => body(ctx, g), setup && ((t) => setup(t, g)), g);
  }
}
