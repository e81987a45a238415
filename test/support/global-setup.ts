import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { buildDashboard, isStale } from '../../dashboard/build.mjs';
import { createPgliteDb } from '../../src/db/pglite.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPostgresDb } from '../../src/db/postgres.ts';
import { CODER_CURRENT_MIGRATION, GENERATIONS, adminUrl, pgliteTemplateVar, templateDb } from './databases.ts';

/** What each generation leaves out: the seed era lacks Coder's current tables (the gateway's own are there in both). */
const SKIP = { 'seed-era': [CODER_CURRENT_MIGRATION], current: [] } as const;

/**
 * Migrates once per run and per schema generation (seed-era, current): a PGlite data dir dumped
 * to a file (each test file loads it in about a second instead of a 5 s initdb) and, with
 * TEST_DATABASE_URL, a PostgreSQL template database that each test file clones. One PGlite
 * serves both: dumped at the seed-era migration, then migrated on and dumped again.
 */
export default async function setup() {
  // The dashboard's assets, which servers started by the tests serve (test/dashboard*.test.ts).
  if (await isStale()) await buildDashboard({ quiet: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-test-'));
  const template = await createPgliteDb();
  for (const g of GENERATIONS) {
    await migrate(template, undefined, SKIP[g]);
    const dump = await template.pglite.dumpDataDir('none');
    const file = path.join(dir, `pglite-template-${g}.tar`);
    await writeFile(file, Buffer.from(await dump.arrayBuffer()));
    process.env[pgliteTemplateVar(g)] = file;
  }
  await template.close();

  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    for (const g of GENERATIONS) {
      const admin = new pg.Client({ connectionString: adminUrl(url) });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${templateDb(g)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${templateDb(g)}`);
      await admin.end();
      const db = createPostgresDb({ url: adminUrl(url, templateDb(g)), max: 1 });
      await migrate(db, undefined, SKIP[g]);
      await db.close();
    }
  }

  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
