import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPgliteDb } from '../../src/db/pglite.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createPostgresDb } from '../../src/db/postgres.ts';
import { TEMPLATE_DB, adminUrl } from './databases.ts';

/**
 * Migrates once per run: a PGlite data dir dumped to a file (each test file loads it in about a
 * second instead of a 5 s initdb) and, with TEST_DATABASE_URL, a PostgreSQL template database
 * that each test file clones.
 */
export default async function setup() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-test-'));
  const template = await createPgliteDb();
  await migrate(template);
  const dump = await template.pglite.dumpDataDir('none');
  await template.close();
  const file = path.join(dir, 'pglite-template.tar');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  process.env.PGLITE_TEMPLATE = file;

  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: adminUrl(url) });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
    await admin.end();
    const db = createPostgresDb({ url: adminUrl(url, TEMPLATE_DB), max: 1 });
    await migrate(db);
    await db.close();
  }

  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
