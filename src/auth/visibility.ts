import type { Params } from '../db/params.ts';
import type { Viewer } from './viewer.ts';

/**
 * The authorization rule as SQL, for every statement that reads interceptions or anything
 * derived from them: owners and auditors see all rows, everyone else only the interceptions
 * they initiated. Rows a caller may not see are never fetched, so counts and aggregates agree.
 */
export function visibleTo(viewer: Viewer, p: Params, alias = 'i'): string {
  return viewer.seesAll ? 'TRUE' : `${alias}.initiator_id = ${p.add(viewer.id)}`;
}
