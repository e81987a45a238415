import type { Queryable } from '../db/db.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * The gateway's own store as a Queryable: named statements (src/db/sql.ts) sent through Prisma's
 * client, whichever database holds the store (the Coder database in own modes, the state store
 * with READ_ONLY=1). Statements over it cast every column to text, int4, float8 or boolean, so
 * Prisma's value conversions (Dates to the millisecond, Decimals) never touch a figure.
 */
export function storeQueryable(prisma: PrismaClient): Queryable {
  return {
    query: <T>(statement: { text: string; values: readonly unknown[] }) => prisma.$queryRawUnsafe<T[]>(statement.text, ...statement.values),
  };
}
