import { type Capabilities, SEED_ERA_CAPABILITIES } from '../db/capabilities.ts';
import type { Queryable } from '../db/db.ts';
import type { PriceBook } from '../domain/usage/priced-usages.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { coderPricesFor } from './coder-prices.ts';
import { overridesFor } from './overrides.ts';
import { priceTimeline } from './resolve.ts';

/** The Coder database a request reads and its schema probe (a GraphQL context has both). */
export interface CoderSource {
  db: Queryable;
  schema: { current(): Promise<Capabilities> };
}

/**
 * The price book of a request: the gateway's overrides (one read of the gateway's own table),
 * Coder's price table where the database has one (one read), and the package's defaults, in
 * the precedence of ./resolve.ts. Without a store (`prisma` null) there are no overrides;
 * without `coder` the database's optional parts count as absent (seed-era).
 */
export function priceBook(prisma: PrismaClient | null, coder?: CoderSource): PriceBook {
  const capabilities = async () => (coder ? await coder.schema.current() : SEED_ERA_CAPABILITIES);
  return {
    capabilities,
    periodsFor: async (models) => {
      const [overrides, fromCoder] = await Promise.all([
        prisma ? overridesFor(prisma, models) : [],
        coder ? coderPricesFor(coder.db, await capabilities(), models) : [],
      ]);
      return priceTimeline(models, overrides, fromCoder);
    },
  };
}
