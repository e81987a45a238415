import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { childrenBundle, type BundleResult, type ChildKind, type ChildRows } from '../domain/children.ts';
import type { UserRow } from '../domain/users.ts';
import type { Queryable } from '../db/db.ts';
import {
  firstInterceptionPages,
  interceptionParentKey,
  interceptionsByIds,
  type InterceptionParent,
  type InterceptionRow,
} from '../domain/interceptions.ts';
import type { InterceptionFilter } from '../domain/interception-filter.ts';
import type { PageResult } from '../domain/paging.ts';
import { sessionGroupKey, type SessionKey } from '../domain/session-key.ts';
import { sessionsByKeys } from '../domain/sessions.ts';
import { firstThreadPages, threadCountsOfSessions } from '../domain/thread-batches.ts';
import { agenticActionsFor, interceptionsOfThreads } from '../domain/thread-members.ts';
import { threadsByRootIds, type ThreadRow } from '../domain/threads.ts';
import { tokenTotalsOfInterceptions } from '../domain/token-totals.ts';
import type { GraphQLContext } from './context.ts';

/** A first page of a session's threads, as asked by Session.threads without cursors. */
export interface ThreadPageKey {
  session: SessionKey;
  limit: number;
  fromEnd: boolean;
  includeInFlight: boolean;
}

/**
 * A first page of a user's or a session's interceptions, as asked by User.interceptions and
 * Session.interceptions without cursors. `filter` is what the parents share: it names neither the
 * initiator nor (for sessions) the session, which `parent` gives.
 */
export interface InterceptionPageKey {
  parent: InterceptionParent;
  filter: InterceptionFilter;
  limit: number;
  fromEnd: boolean;
}

/** Parents whose pages can share a statement: same kind of parent, filter and page size. */
function interceptionPageShape(k: InterceptionPageKey): string {
  const filter = Object.entries(k.filter).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([k.parent.sessionId !== undefined, filter, k.limit, k.fromEnd]);
}

/**
 * Child rows and users asked for in the same turn, read in one statement (children.bundle): the
 * DataLoaders of those kinds dispatch their batches in the same tick, and the bundle sends what
 * arrived by the next turn of the event loop (setImmediate: after every pending tick and promise
 * job) as one statement instead of one per kind.
 */
function bundledReads(db: Queryable) {
  type Asked = { children: Partial<Record<ChildKind, string[]>>; users: string[] };
  let pending: { req: Asked; done: Promise<BundleResult> } | null = null;
  const next = () => {
    if (!pending) {
      const req: Asked = { children: {}, users: [] };
      const done = new Promise<BundleResult>((resolve, reject) =>
        setImmediate(() => {
          pending = null;
          childrenBundle(db, { children: req.children, users: req.users.length ? req.users : undefined }).then(resolve, reject);
        }),
      );
      pending = { req, done };
    }
    return pending;
  };
  return {
    async children<K extends ChildKind>(kind: K, ids: readonly string[]): Promise<ChildRows[K][][]> {
      const p = next();
      // A second batch of a kind in the same turn (loads spread over several ticks) joins the first.
      const asked: string[] = (p.req.children[kind] ??= []);
      const from = asked.length;
      asked.push(...ids);
      return ((await p.done).children[kind] as ChildRows[K][][]).slice(from, from + ids.length);
    },
    async users(ids: readonly string[]): Promise<(UserRow | null)[]> {
      const p = next();
      const from = p.req.users.length;
      p.req.users.push(...ids);
      return (await p.done).users!.slice(from, from + ids.length);
    },
  };
}

/**
 * Per-request DataLoaders, one per kind, shared by every field that needs that kind (an
 * interception's toolUsages and an agentic action's toolCalls hit the same loader), so a request
 * sends one statement per kind however large the pages and however deep the nesting.
 * Keyed by the context object: nothing outlives the request. Session and thread reads depend on
 * whether in-flight interceptions count (a list's filter), so those loaders exist per scope.
 */
export const loaders = createContextCache(({ db, viewer }: GraphQLContext) => {
  const bundle = bundledReads(db);
  const perScope = <V>(make: (includeInFlight: boolean) => V) => {
    const made = new Map<boolean, V>();
    return (includeInFlight = false) => {
      if (!made.has(includeInFlight)) made.set(includeInFlight, make(includeInFlight));
      return made.get(includeInFlight)!;
    };
  };
  return {
    tokenUsages: new DataLoader((ids: readonly string[]) => bundle.children('tokenUsages', ids)),
    toolUsages: new DataLoader((ids: readonly string[]) => bundle.children('toolUsages', ids)),
    userPrompts: new DataLoader((ids: readonly string[]) => bundle.children('userPrompts', ids)),
    modelThoughts: new DataLoader((ids: readonly string[]) => bundle.children('modelThoughts', ids)),
    users: new DataLoader((ids: readonly string[]) => bundle.users(ids)),
    /** Per-interception sums; ids come from rows already read under the visibility filter. */
    tokenTotals: new DataLoader(async (ids: readonly string[]) => {
      const totals = await tokenTotalsOfInterceptions(db, ids);
      return ids.map((id) => totals.get(id)!);
    }),
    /** Visible interceptions by id (in-flight ones included); null when absent or not visible. */
    interceptions: new DataLoader((ids: readonly string[]) => interceptionsByIds(db, viewer, ids)),
    sessions: perScope((includeInFlight) =>
      new DataLoader((keys: readonly SessionKey[]) => sessionsByKeys(db, viewer, keys, { includeInFlight }), { cacheKeyFn: sessionGroupKey })),
    threadCounts: perScope((includeInFlight) =>
      new DataLoader((keys: readonly SessionKey[]) => threadCountsOfSessions(db, viewer, keys, { includeInFlight }), { cacheKeyFn: sessionGroupKey })),
    threads: perScope((includeInFlight) =>
      new DataLoader((ids: readonly string[]) => threadsByRootIds(db, viewer, ids, { includeInFlight }))),
    agenticActions: perScope((includeInFlight) =>
      new DataLoader((ids: readonly string[]) => agenticActionsFor(db, viewer, ids, { includeInFlight }))),
    threadInterceptions: perScope((includeInFlight) =>
      new DataLoader((ids: readonly string[]) => interceptionsOfThreads(db, viewer, ids, { includeInFlight }))),
    /** Sibling sessions asking for the same page shape share one batched read. */
    threadPages: new DataLoader(
      async (keys: readonly ThreadPageKey[]): Promise<PageResult<ThreadRow>[]> => {
        const out = new Array<PageResult<ThreadRow>>(keys.length);
        const shapes = new Map<string, number[]>();
        keys.forEach((k, n) => {
          const shape = `${k.limit} ${k.fromEnd} ${k.includeInFlight}`;
          shapes.set(shape, [...(shapes.get(shape) ?? []), n]);
        });
        await Promise.all([...shapes.values()].map(async (indexes) => {
          const { limit, fromEnd, includeInFlight } = keys[indexes[0]];
          const pages = await firstThreadPages(db, viewer, indexes.map((n) => keys[n].session), { limit, fromEnd }, { includeInFlight });
          indexes.forEach((n, i) => (out[n] = pages[i]!));
        }));
        return out;
      },
      { cacheKeyFn: (k) => `${sessionGroupKey(k.session)} ${k.limit} ${k.fromEnd} ${k.includeInFlight}` },
    ),
    /** Sibling users or sessions asking for the same page shape share one batched read. */
    interceptionPages: new DataLoader(
      async (keys: readonly InterceptionPageKey[]): Promise<PageResult<InterceptionRow>[]> => {
        const out = new Array<PageResult<InterceptionRow>>(keys.length);
        const shapes = new Map<string, number[]>();
        keys.forEach((k, n) => {
          const shape = interceptionPageShape(k);
          shapes.set(shape, [...(shapes.get(shape) ?? []), n]);
        });
        await Promise.all([...shapes.values()].map(async (indexes) => {
          const { filter, limit, fromEnd } = keys[indexes[0]];
          const pages = await firstInterceptionPages(db, viewer, filter, indexes.map((n) => keys[n].parent), { limit, fromEnd });
          indexes.forEach((n, i) => (out[n] = pages[i]!));
        }));
        return out;
      },
      { cacheKeyFn: (k) => `${interceptionParentKey(k.parent)} ${interceptionPageShape(k)}` },
    ),
  };
});
