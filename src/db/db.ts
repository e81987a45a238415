/**
 * The one database interface every layer uses, over PGlite or PostgreSQL alike.
 *
 * Values come back as PostgreSQL's text for timestamps and 64-bit numbers: Coder keeps
 * microseconds, which a JS Date would drop, and token sums can pass 2^31. `src/domain/values.ts`
 * turns them into what each surface needs.
 */
import type { ReplicaStatus } from './replicas.ts';
import type { Statement } from './sql.ts';

export type Row = Record<string, unknown>;

/** Statements come only from `named` templates (src/db/sql.ts): no caller-built SQL text. */
export interface Queryable {
  query<T = Row>(statement: Statement): Promise<T[]>;
  /**
   * Runs fn in one `REPEATABLE READ, READ ONLY` transaction, so every statement fn sends reads
   * the same snapshot (a list's page and its count agree while AI Bridge writes). Absent inside
   * such a transaction: fn already reads one snapshot there (see `inSnapshot`).
   */
  snapshot?<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs a statement whose result may be shared with an identical one already in flight (and,
   * with COUNT_CACHE_TTL_MS, served from a recent result): counts. Absent: plain `query`.
   */
  queryShared?<T = Row>(statement: Statement): Promise<T[]>;
}

/** fn over one snapshot of `q` where it offers one; already inside one (or none offered), over q itself. */
export function inSnapshot<T>(q: Queryable, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return q.snapshot ? q.snapshot(fn) : fn(q);
}

/** A statement through `q.queryShared` where offered, else `q.query`. */
export function queryShared<T = Row>(q: Queryable, statement: Statement): Promise<T[]> {
  return q.queryShared ? q.queryShared<T>(statement) : q.query<T>(statement);
}

/** A connection inside BEGIN/COMMIT; `exec` runs a parameterless script (a migration file). */
export interface Transaction extends Queryable {
  exec(script: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn on one connection inside BEGIN/COMMIT (ROLLBACK on error). */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  snapshot<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migration files, test set-up). */
  exec(script: string): Promise<void>;
  /** Every statement sent is reported here; tests count them per request. */
  onStatement?: (statement: Statement) => void;
  close(): Promise<void>;
  /** With read replicas (src/db/replicas.ts): each one's state, for /readyz. */
  replicaStatus?(): ReplicaStatus[];
}

/**
 * Text results for the types a JS parser would damage: timestamptz (1184), timestamp (1114),
 * int8 (20) and numeric (1700, what SUM(bigint) returns).
 */
export const RAW_TEXT_TYPES = [1184, 1114, 20, 1700] as const;

/** Thrown when the database cannot be reached; surfaces answer 503 rather than 500. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}
