import type { Queryable } from '../db/db.ts';
import type { Statement } from '../db/sql.ts';

/**
 * PostgreSQL text cannot hold U+0000: a statement with such a parameter fails with an encoding
 * error (a 500 if nothing catches it), and no stored value can equal it anyway. Any caller-given
 * string can reach a parameter (search terms, path ids, cursors, GraphQL arguments, tokens), so
 * the check sits at the one place they all pass through rather than at each input.
 */
export class InvalidTextError extends Error {
  constructor() {
    super('Text values cannot contain NUL (U+0000) characters.');
    this.name = 'InvalidTextError';
  }
}

function hasNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  return Array.isArray(v) && v.some(hasNul);
}

/**
 * A Queryable over `db` (its snapshots and shared reads too) that refuses (InvalidTextError) any
 * statement whose parameters contain NUL before sending it; everything it sends goes through
 * `db`, so `db.onStatement` still sees every statement.
 */
export function rejectingNulText(db: Queryable): Queryable {
  const checked = <T,>(statement: Statement, send: (s: Statement) => Promise<T[]>): Promise<T[]> =>
    statement.values.some(hasNul) ? Promise.reject(new InvalidTextError()) : send(statement);
  return {
    query: <T,>(statement: Statement) => checked(statement, (s) => db.query<T>(s)),
    ...(db.queryShared && { queryShared: <T,>(statement: Statement) => checked(statement, (s) => db.queryShared!<T>(s)) }),
    ...(db.snapshot && { snapshot: <T,>(fn: (q: Queryable) => Promise<T>) => db.snapshot!((inner) => fn(rejectingNulText(inner))) }),
  };
}
