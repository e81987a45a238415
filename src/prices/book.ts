import type { PriceBook } from '../domain/usage/priced-usages.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { overridesFor } from './overrides.ts';
import { priceTimeline } from './resolve.ts';

/**
 * The price book of a request: the gateway's overrides (one read of the gateway's own table) over
 * the package's defaults. Without a store (`null`) only the defaults apply.
 */
export function priceBook(prisma: PrismaClient | null): PriceBook {
  return {
    periodsFor: async (models) => priceTimeline(models, prisma ? await overridesFor(prisma, models) : []),
  };
}
