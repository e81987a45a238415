import { sql, type SqlFragment } from '../db/sql.ts';
import type { Viewer } from './viewer.ts';

/**
 * The authorization rule as SQL, for every statement that reads interceptions or anything
 * derived from them: owners and auditors see all rows, everyone else only the interceptions
 * they initiated. Rows a caller may not see are never fetched, so counts and aggregates agree.
 */
export function visibleTo(viewer: Viewer, alias = sql`i`): SqlFragment {
  return viewer.seesAll ? sql`TRUE` : sql`${alias}.initiator_id = ${viewer.id}`;
}
