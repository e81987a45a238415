import type { Queryable, Row } from './db.ts';
import type { Statement } from './sql.ts';

/**
 * Counts shared between requests. An exact count of a large filter costs a scan of every
 * matching row (hundreds of ms at 1M interceptions); ten clients listing the same sessions at
 * once used to pay it ten times. Here an identical statement (same text, same values, and so
 * the same visibility filter: the viewer's scope is among the values) already in flight is
 * joined rather than sent again, and with `ttlMs` > 0 a result at most that old is reused.
 *
 * A joined count was read in the snapshot of the request that sent it, which began before the
 * joiner's: while rows are being written the two may differ by the rows committed in between
 * (docs/operations.md, "Shared counts"). ttlMs = 0 (the default) never serves a finished result.
 */
export interface SharedReads {
  run<T>(statement: Statement, send: () => Promise<T[]>): Promise<T[]>;
}

export interface SharedReadsOptions {
  /** Reuse a result for this many ms after its statement was sent; 0: only join statements in flight. */
  ttlMs?: number;
  now?: () => number;
}

const keyOf = (s: Statement) => JSON.stringify([s.text, s.values], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

export function createSharedReads({ ttlMs = 0, now = Date.now }: SharedReadsOptions = {}): SharedReads {
  const inFlight = new Map<string, Promise<unknown[]>>();
  // Insertion order is age order (an entry is deleted before it is set again), so the expired
  // ones are always at the front.
  const recent = new Map<string, { sentAt: number; rows: unknown[] }>();
  const forgetExpired = (at: number) => {
    for (const [key, entry] of recent) {
      if (at - entry.sentAt <= ttlMs) break;
      recent.delete(key);
    }
  };

  return {
    run<T>(statement: Statement, send: () => Promise<T[]>): Promise<T[]> {
      const key = keyOf(statement);
      if (ttlMs > 0) {
        forgetExpired(now());
        const hit = recent.get(key);
        if (hit) return Promise.resolve(hit.rows as T[]);
      }
      const pending = inFlight.get(key) as Promise<T[]> | undefined;
      // A failed shared statement (its replica went away, say) fails only its sender: a joiner
      // sends its own on its own connection instead of inheriting someone else's error.
      if (pending) return pending.catch(() => send());
      const sentAt = now();
      const sent = send().then((rows) => {
        if (ttlMs > 0) {
          recent.delete(key);
          recent.set(key, { sentAt, rows });
        }
        return rows;
      });
      inFlight.set(key, sent);
      const forget = () => {
        if (inFlight.get(key) === sent) inFlight.delete(key);
      };
      sent.then(forget, forget);
      return sent;
    },
  };
}

/**
 * `q` with `queryShared` going through `shared`; its snapshots hand fn a Queryable that does too,
 * so a count inside a snapshot transaction is shared as well.
 */
export function sharingReads(q: Queryable, shared: SharedReads): Queryable {
  return {
    query: <T = Row>(s: Statement) => q.query<T>(s),
    queryShared: <T = Row>(s: Statement) => shared.run<T>(s, () => q.query<T>(s)),
    ...(q.snapshot && { snapshot: <T>(fn: (inner: Queryable) => Promise<T>) => q.snapshot!((inner) => fn(sharingReads(inner, shared))) }),
  };
}
