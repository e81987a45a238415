import { type Db, type Queryable, DatabaseUnavailableError } from './db.ts';
import { named, type Statement } from './sql.ts';

/**
 * Reads spread over streaming replicas (DATABASE_REPLICA_URLS). Every statement sent through
 * `query` or `snapshot` goes to the next healthy replica in turn; a replica that fails to
 * answer (connection refused, reset, shut down) is taken out and the same read is sent to the
 * next one, then to the primary, so losing a replica fails no request. It is probed in the
 * background with growing pauses and put back once it answers. `transaction` and `exec` (the
 * CLI's writes, migrations) always go to the primary.
 *
 * Only connection failures and recovery conflicts move a read elsewhere: any other SQL error
 * would fail on every server alike.
 */

// A standby cancels a read whose rows replay must remove ("conflict with recovery"): the
// replica is fine, the read is sent to the next server.
const RECOVERY_CONFLICT = '40001';
const isRecoveryConflict = (err: unknown) => (err as { code?: string } | undefined)?.code === RECOVERY_CONFLICT;

export interface ReplicaStatus {
  /** host:port/database: never the user or password. */
  name: string;
  healthy: boolean;
  /** Reads this replica has answered since start. */
  served: number;
}

export interface Replica {
  name: string;
  db: Db;
}

export interface ReplicaOptions {
  /** Pause before the first probe of a replica that failed; doubles after each failed probe. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** The part of a PostgreSQL URL that may be shown: host, port and database. */
export function replicaName(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname === '/' ? '' : u.pathname}`;
}

interface Member extends ReplicaStatus {
  db: Db;
  backoffMs: number;
  probe?: NodeJS.Timeout;
}

export function routeReads(primary: Db, replicas: readonly Replica[], { minBackoffMs = 250, maxBackoffMs = 10_000 }: ReplicaOptions = {}): Db {
  const members: Member[] = replicas.map((r) => ({ name: r.name, db: r.db, healthy: true, served: 0, backoffMs: minBackoffMs }));
  let next = 0;
  let closed = false;

  const scheduleProbe = (m: Member) => {
    if (closed || m.probe) return;
    m.probe = setTimeout(() => {
      m.probe = undefined;
      m.db.query(named('replicas.probe')`SELECT 1`).then(
        () => {
          m.healthy = true;
          m.backoffMs = minBackoffMs;
        },
        () => {
          m.backoffMs = Math.min(m.backoffMs * 2, maxBackoffMs);
          scheduleProbe(m);
        },
      );
    }, m.backoffMs);
    m.probe.unref();
  };

  const takeOut = (m: Member) => {
    if (!m.healthy) return;
    m.healthy = false;
    scheduleProbe(m);
  };

  /** Healthy replicas, starting with the next in turn. */
  const inTurn = (): Member[] => {
    const healthy = members.filter((m) => m.healthy);
    if (healthy.length === 0) return [];
    const start = next++ % healthy.length;
    return [...healthy.slice(start), ...healthy.slice(0, start)];
  };

  const read = async <T,>(send: (target: Db) => Promise<T>): Promise<T> => {
    for (const m of inTurn()) {
      try {
        const out = await send(m.db);
        m.served++;
        return out;
      } catch (err) {
        if (isRecoveryConflict(err)) continue;
        if (!(err instanceof DatabaseUnavailableError)) throw err;
        takeOut(m);
      }
    }
    return send(primary);
  };

  const db: Db = {
    kind: primary.kind,
    query: <T,>(s: Statement) => read((target) => target.query<T>(s)),
    // A read-only fn may run again whole on the next server when its replica goes away mid-way.
    snapshot: <T,>(fn: (q: Queryable) => Promise<T>) => read((target) => target.snapshot(fn)),
    transaction: (fn) => primary.transaction(fn),
    exec: (script) => primary.exec(script),
    replicaStatus: () => members.map(({ name, healthy, served }) => ({ name, healthy, served })),
    async close() {
      closed = true;
      for (const m of members) clearTimeout(m.probe);
      await Promise.all([primary.close(), ...members.map((m) => m.db.close())]);
    },
  };
  // The gateway's own tables (price overrides) are written through Prisma, which reaches a
  // PostgreSQL Db through its `pool` (src/prices/prisma.ts): the primary's, so they go there.
  if ('pool' in primary) Object.defineProperty(db, 'pool', { value: primary.pool });
  // Tests count a request's statements through `onStatement`, wherever they were sent.
  Object.defineProperty(db, 'onStatement', {
    get: () => primary.onStatement,
    set(fn: Db['onStatement']) {
      primary.onStatement = fn;
      for (const m of members) m.db.onStatement = fn;
    },
  });
  return db;
}
