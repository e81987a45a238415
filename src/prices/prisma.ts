import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { Db } from '../db/db.ts';
import { PrismaClient } from '../generated/prisma/client.ts';

/**
 * A Prisma client over the same database as `db` (its PGlite instance or its pg pool), for the
 * gateway's own tables (gateway_model_prices). Coder's tables are never read through it.
 */
export function prismaOver(db: Db): PrismaClient {
  const adapter = db.kind === 'pglite'
    ? new PrismaPGlite((db as Db & { pglite: PGlite }).pglite)
    // adapter-pg bundles its own @types/pg: the same runtime Pool, a nominally different type.
    : new PrismaPg((db as Db & { pool: pg.Pool }).pool as unknown as ConstructorParameters<typeof PrismaPg>[0]);
  return new PrismaClient({ adapter });
}

export type { PrismaClient };
