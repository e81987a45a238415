import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { createPgliteDb } from '../db/pglite.ts';
import { createPostgresDb } from '../db/postgres.ts';
import { type PrismaClient, prismaOver } from './prisma.ts';

/** The gateway's own store (price overrides) and how to let go of it. */
export interface PriceStore {
  prisma: PrismaClient;
  /** Where it lives, for logs: 'coder-database', 'state-database' or 'data-dir'. */
  where: 'coder-database' | 'state-database' | 'data-dir';
  close(): Promise<void>;
}

/**
 * Where the gateway's own data lives. In embedded and PostgreSQL modes: the same database as
 * Coder's tables (`coderDb`, already migrated). With READ_ONLY=1 the Coder database is never
 * written: STATE_DATABASE_URL (PostgreSQL, shareable by several replicas) or, when unset, a PGlite
 * in DATA_DIR/state. Either is migrated with the same migrations as an own database (one schema
 * for both; Coder's tables stay empty there), so `prisma migrate deploy` agrees with it too.
 */
export async function openPriceStore(config: Config, coderDb?: Db): Promise<PriceStore> {
  if (!config.readOnly) {
    if (!coderDb) throw new Error('openPriceStore: own modes keep prices in the Coder database; pass it');
    const prisma = prismaOver(coderDb);
    return { prisma, where: 'coder-database', close: () => prisma.$disconnect() };
  }
  let state: Db;
  if (config.stateDatabaseUrl) {
    state = createPostgresDb({ url: config.stateDatabaseUrl, max: 2 });
  } else {
    await mkdir(config.dataDir, { recursive: true });
    state = await createPgliteDb(path.join(config.dataDir, 'state'));
  }
  await migrate(state);
  const prisma = prismaOver(state);
  return {
    prisma,
    where: config.stateDatabaseUrl ? 'state-database' : 'data-dir',
    async close() {
      await prisma.$disconnect();
      await state.close();
    },
  };
}
