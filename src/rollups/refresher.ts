import type { Queryable } from '../db/db.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { SchemaProbe } from '../db/schema-probe.ts';
import { priceBook } from '../prices/book.ts';
import type { RollupCache } from './cache.ts';
import { warmRollups } from './read.ts';
import { refreshRollups, type RefreshResult } from './refresh.ts';

export interface Refresher {
  /** Stops the timer and waits for a refresh in progress. */
  stop(): Promise<void>;
}

interface RefresherLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * `serve`'s background refresh of the usage roll-ups: one right after start, then every
 * `intervalMs` after the previous one ended (never two at once in this process). A failed refresh
 * is logged and retried at the next tick; answers stay exact meanwhile (what is not rolled up is
 * computed live). After each refresh the app's copy of the closed hours is brought up to date
 * (`cache`: src/rollups/cache.ts), so no request waits for it.
 */
export function startRefresher(
  db: Queryable,
  prisma: PrismaClient,
  o: { intervalMs: number; graceMs: number; log: RefresherLog; cache?: RollupCache },
): Refresher {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  // Priced exactly as the API prices (recorded cost and Coder's price table where they exist).
  const book = priceBook(prisma, { db, schema: new SchemaProbe(db) });
  const tick = () => {
    const started = Date.now();
    running = refreshRollups(db, prisma, book, { graceMs: o.graceMs }).then(
      async (r: RefreshResult) => {
        const changed = Boolean(r.rolled || r.purged || r.repriced);
        if (changed) o.log.info({ ...r, ms: Date.now() - started }, 'usage roll-ups refreshed');
        if (!o.cache) return;
        const warming = Date.now();
        const hours = await warmRollups(prisma, o.cache).catch((err: unknown) => o.log.warn({ err }, 'usage roll-up copy not loaded; the next answer loads it'));
        if (changed && hours !== undefined) o.log.info({ hours, ms: Date.now() - warming }, 'usage roll-up copy loaded');
      },
      (err: unknown) => o.log.warn({ err }, 'usage roll-up refresh failed; retrying at the next interval'),
    ).finally(() => {
      if (!stopped) timer = setTimeout(tick, o.intervalMs).unref();
    });
  };
  timer = setTimeout(tick, 0).unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
