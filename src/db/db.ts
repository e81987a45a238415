/**
 * The one database interface every layer uses, over PGlite or PostgreSQL alike.
 *
 * Values come back as PostgreSQL's text for timestamps and 64-bit numbers: Coder keeps
 * microseconds, which a JS Date would drop, and token sums can pass 2^31. `src/domain/values.ts`
 * turns them into what each surface needs.
 */
import type { Statement } from './sql.ts';

export type Row = Record<string, unknown>;

/** Statements come only from `named` templates (src/db/sql.ts): no caller-built SQL text. */
export interface Queryable {
  query<T = Row>(statement: Statement): Promise<T[]>;
}

/** A connection inside BEGIN/COMMIT; `exec` runs a parameterless script (a migration file). */
export interface Transaction extends Queryable {
  exec(script: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn on one connection inside BEGIN/COMMIT (ROLLBACK on error). */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migration files, test set-up). */
  exec(script: string): Promise<void>;
  /** Every statement sent is reported here; tests count them per request. */
  onStatement?: (statement: Statement) => void;
  close(): Promise<void>;
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
