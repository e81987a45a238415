import type { Viewer } from '../../auth/viewer.ts';
import { Params } from '../../db/params.ts';
import { SqlFragment } from '../../db/sql.ts';
import { type InterceptionFilter, interceptionConditions } from '../interceptions.ts';

/**
 * The shared visibility-and-filter conditions (interceptionConditions, the one SQL filter every
 * read uses) as a composable fragment. interceptionConditions still numbers its own `$n`
 * placeholders; this rebuilds them as bound values of a fragment. When it returns a fragment
 * itself, this file reduces to that call.
 */
export function visibleInterceptions(viewer: Viewer, filter: InterceptionFilter, alias = 'i'): SqlFragment {
  const p = new Params();
  const text = interceptionConditions(viewer, filter, p, alias);
  const pieces = text.split(/\$(\d+)/);
  const parts = pieces.filter((_, n) => n % 2 === 0);
  const values = pieces.filter((_, n) => n % 2 === 1).map((n) => p.values[Number(n) - 1]);
  return new SqlFragment(parts, values);
}
