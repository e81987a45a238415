import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { attributionsOf } from '../domain/interception-attribution.ts';
import { outcomesOf } from '../domain/interception-outcome.ts';
import {
  firstNetworkCallLogPages,
  networkCallCounts,
  networkCallLogsByIds,
  topDomainsOf,
  type DomainCount,
  type NetworkCallLog,
} from '../domain/network-calls.ts';
import type { PageResult } from '../domain/paging.ts';
import { sessionGroupKey, type SessionKey } from '../domain/session-key.ts';
import { recordedCostsOf } from '../domain/token-costs.ts';
import type { GraphQLContext } from './context.ts';

/** A first page (no cursor) of a session's network call logs, as Session.networkCallLogs asks for it. */
export interface NetworkCallLogPageKey {
  session: SessionKey;
  limit: number;
  fromEnd: boolean;
}

/**
 * Per-request DataLoaders for what only a current Coder schema holds (upstream errors, Agent
 * Firewall, recorded costs): one statement per kind and request, none where the database lacks
 * the columns (each asks the schema probe first). Kept apart from ./loaders.ts, whose loaders
 * read the seed-era tables.
 */
export const currentLoaders = createContextCache(({ db, viewer, schema }: GraphQLContext) => ({
  /** Upstream error and firewall position of interceptions the viewer may see. */
  outcomes: new DataLoader(async (ids: readonly string[]) => outcomesOf(db, await schema.current(), ids)),
  /** Annotations, provider id and workspace id of interceptions the viewer may see. */
  attributions: new DataLoader(async (ids: readonly string[]) => attributionsOf(db, await schema.current(), ids)),
  /** {total, blocked} of sessions the viewer may see; null where the firewall saw none of it. */
  networkCalls: new DataLoader(async (keys: readonly SessionKey[]) => networkCallCounts(db, await schema.current(), viewer, keys), {
    cacheKeyFn: sessionGroupKey,
  }),
  /** Top domains of sessions; siblings asking for the same number share one statement. */
  topDomains: new DataLoader(
    async (keys: readonly { session: SessionKey; limit: number }[]) => {
      const caps = await schema.current();
      const out = new Array<{ domains: DomainCount[]; domainCount: number }>(keys.length);
      const byLimit = new Map<number, number[]>();
      keys.forEach((k, n) => byLimit.set(k.limit, [...(byLimit.get(k.limit) ?? []), n]));
      await Promise.all([...byLimit].map(async ([limit, indexes]) => {
        const found = await topDomainsOf(db, caps, viewer, indexes.map((n) => keys[n].session), limit);
        indexes.forEach((n, i) => (out[n] = found[i]));
      }));
      return out;
    },
    { cacheKeyFn: (k) => `${sessionGroupKey(k.session)} ${k.limit}` },
  ),
  /** First pages of sessions' network call logs; siblings asking for the same page shape share one statement. */
  networkCallLogPages: new DataLoader(
    async (keys: readonly NetworkCallLogPageKey[]): Promise<PageResult<NetworkCallLog>[]> => {
      const caps = await schema.current();
      const out = new Array<PageResult<NetworkCallLog>>(keys.length);
      const shapes = new Map<string, number[]>();
      keys.forEach((k, n) => shapes.set(`${k.limit} ${k.fromEnd}`, [...(shapes.get(`${k.limit} ${k.fromEnd}`) ?? []), n]));
      await Promise.all([...shapes.values()].map(async (indexes) => {
        const { limit, fromEnd } = keys[indexes[0]];
        const pages = await firstNetworkCallLogPages(db, caps, viewer, indexes.map((n) => keys[n].session), { limit, fromEnd });
        indexes.forEach((n, i) => (out[n] = pages[i]));
      }));
      return out;
    },
    { cacheKeyFn: (k) => `${sessionGroupKey(k.session)} ${k.limit} ${k.fromEnd}` },
  ),
  /** Network call log rows by id, where a window the viewer may see holds them. */
  networkCallLogs: new DataLoader(async (ids: readonly string[]) => networkCallLogsByIds(db, await schema.current(), viewer, ids)),
  /** Recorded cost and price snapshot of token usage rows of visible interceptions. */
  recordedCosts: new DataLoader(async (ids: readonly string[]) => recordedCostsOf(db, await schema.current(), ids)),
}));
