import type { Queryable } from '../db/db.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { SchemaProbe } from '../db/schema-probe.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { LiveFeed } from '../live/feed.ts';
import type { RollupCache } from '../rollups/cache.ts';

export interface GraphQLContext {
  db: Queryable;
  viewer: Viewer;
  /**
   * The gateway's own store (price overrides), through Prisma; null when there is none (read-only
   * mode without a state database): prices then come from the package alone.
   */
  prisma: PrismaClient | null;
  /** The database's optional Coder parts; resolvers that read them ask it (detected once). */
  schema: SchemaProbe;
  /** Completed interceptions for subscriptions: one poller per app (src/live/feed.ts). */
  live: LiveFeed;
  /** The usage roll-ups' closed hours in memory (src/rollups/cache.ts): one per app. */
  rollups: RollupCache;
}
