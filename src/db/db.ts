/**
 * The one database interface every layer uses, over PGlite or PostgreSQL alike.
 *
 * Values come back as PostgreSQL's text for timestamps and 64-bit numbers: Coder keeps
 * microseconds, which a JS Date would drop, and token sums can pass 2^31. `src/domain/values.ts`
 * turns them into what each surface needs.
 */
export type Row = Record<string, unknown>;

export interface Queryable {
  query<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn on one connection inside BEGIN/COMMIT (ROLLBACK on error). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** Every statement sent is reported here; tests count them per request. */
  onStatement?: (text: string) => void;
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
