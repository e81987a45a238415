import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { interceptionConditions } from '../domain/interception-filter.ts';
import { type SessionKey, sessionGroupKey } from '../domain/session-key.ts';
import { type Cost, costsByGroup } from '../domain/usage/cost.ts';
import { sql } from '../db/sql.ts';
import { priceBook } from '../prices/book.ts';
import type { GraphQLContext } from './context.ts';

/**
 * Per-request loaders for `cost` on interceptions, threads and sessions: one batch per kind,
 * each two statements (what needs pricing, the sums) plus one read of the price overrides
 * (and one of Coder's price table where it exists),
 * however many parents a page holds. Members are chosen exactly as the parents' token usage
 * is (the same visibility filter and in-flight scope), so costs agree with `usage`.
 */
export const costLoaders = createContextCache(({ db, viewer, prisma, schema }: GraphQLContext) => {
  const book = priceBook(prisma, { db, schema });
  const perScope = <V>(make: (includeInFlight: boolean) => V) => {
    const made = new Map<boolean, V>();
    return (includeInFlight: boolean) => {
      if (!made.has(includeInFlight)) made.set(includeInFlight, make(includeInFlight));
      return made.get(includeInFlight)!;
    };
  };
  return {
    /** Ids come from rows already read under the visibility filter. */
    interceptions: new DataLoader(async (ids: readonly string[]): Promise<Cost[]> => {
      const costs = await costsByGroup(db, book, sql`SELECT i.id::text AS grp, i.* FROM aibridge_interceptions i WHERE i.id = ANY(${ids}::uuid[])`, ids);
      return ids.map((id) => costs.get(id)!);
    }),
    threads: perScope((includeInFlight) => new DataLoader(async (roots: readonly string[]): Promise<Cost[]> => {
      const costs = await costsByGroup(db, book, sql`
        SELECT COALESCE(i.thread_root_id, i.id)::text AS grp, i.* FROM aibridge_interceptions i
         WHERE (i.id = ANY(${roots}::uuid[]) OR i.thread_root_id = ANY(${roots}::uuid[]))
           AND ${interceptionConditions(viewer, { includeInFlight })}`, roots);
      return roots.map((r) => costs.get(r)!);
    })),
    sessions: perScope((includeInFlight) => new DataLoader(async (keys: readonly SessionKey[]): Promise<Cost[]> => {
      const costs = await costsByGroup(db, book, sql`
        SELECT i.initiator_id::text || ' ' || i.session_id AS grp, i.* FROM aibridge_interceptions i
          JOIN unnest(${keys.map((k) => k.initiatorId)}::uuid[], ${keys.map((k) => k.sessionId)}::text[]) AS k(initiator_id, session_id)
            ON i.initiator_id = k.initiator_id AND i.session_id = k.session_id
         WHERE ${interceptionConditions(viewer, { includeInFlight })}`, keys.map(groupOf));
      return keys.map((k) => costs.get(groupOf(k))!);
    }, { cacheKeyFn: sessionGroupKey })),
  };
});

const groupOf = (k: SessionKey) => `${k.initiatorId.toLowerCase()} ${k.sessionId}`;
