import { sql, type SqlFragment } from '../db/sql.ts';
import type { Viewer } from './viewer.ts';

/**
 * A caller the statement itself authenticates: a CTE of it (`key`) with one row or none, of
 * `user_id`, `sees_all` and `valid` (src/graphql/page-json.ts reads the key and the page in one
 * statement).
 */
export class KeyInStatement {
  constructor(readonly key: SqlFragment) {}
}

/**
 * The authorization rule as SQL, for every statement that reads interceptions or anything
 * derived from them: owners and auditors see all rows, everyone else only the interceptions
 * they initiated. Rows a caller may not see are never fetched, so counts and aggregates agree.
 * A key read in the same statement sees nothing unless it is valid.
 */
export function visibleTo(viewer: Viewer | KeyInStatement, alias = sql`i`): SqlFragment {
  if (viewer instanceof KeyInStatement) {
    const { key } = viewer;
    const of = (column: SqlFragment) => sql`(SELECT ${key}.${column} FROM ${key})`;
    return sql`${of(sql`valid`)} AND (${of(sql`sees_all`)} OR ${alias}.initiator_id = ${of(sql`user_id`)})`;
  }
  return viewer.seesAll ? sql`TRUE` : sql`${alias}.initiator_id = ${viewer.id}`;
}
