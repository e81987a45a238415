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
 * A Queryable over `db` that refuses (InvalidTextError) any statement whose parameters contain
 * NUL before sending it; everything it sends goes through `db.query`, so `db.onStatement` still
 * sees every statement.
 */
export function rejectingNulText(db: Queryable): Queryable {
  return {
    query<T>(statement: Statement): Promise<T[]> {
      return statement.values.some(hasNul) ? Promise.reject(new InvalidTextError()) : db.query<T>(statement);
    },
  };
}
