import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { modelThoughtsFor, toolUsagesFor, type ModelThoughtRow, type ToolUsageRow } from './children.ts';
import { uuidsOnly } from './ids.ts';
import { interceptionConditions } from './interception-filter.ts';
import { interceptionColumns, type InterceptionRow } from './interceptions.ts';
import type { SessionScope } from './session-key.ts';
import { tokenTotalsOfInterceptions, type TokenTotals } from './token-totals.ts';

/**
 * The interceptions that make up threads (a root and every interception whose thread_root_id
 * names it), read for many threads at once: the one definition of thread membership.
 */

/** Interception `a` belongs to one of the threads whose (lower-case) root ids are `roots`. */
export function threadMembership(roots: readonly string[], a: SqlFragment = sql`i`): SqlFragment {
  return sql`(${a}.id = ANY(${roots}::uuid[]) OR ${a}.thread_root_id = ANY(${roots}::uuid[]))`;
}

/** Every visible interception of each thread (root included), chronological; one statement. */
export async function interceptionsOfThreads(
  db: Queryable,
  viewer: Viewer,
  rootIds: readonly string[],
  scope: SessionScope = {},
): Promise<InterceptionRow[][]> {
  const rows = await db.query<InterceptionRow>(named('threads.members')`
    SELECT ${interceptionColumns()} FROM aibridge_interceptions i
     WHERE ${threadMembership(uuidsOnly(rootIds))} AND ${interceptionConditions(viewer, scope)}
     ORDER BY i.started_at, i.id`);
  return byRoot(rootIds, rows, (r) => r);
}

/**
 * One interception of a thread that made at least one tool call, with what led to it.
 */
export interface AgenticAction {
  interception: InterceptionRow;
  model: string;
  /** Token usage of this interception alone. */
  tokenUsage: TokenTotals;
  /** Its model thoughts (created_at order). */
  thinking: ModelThoughtRow[];
  /** Its tool calls (created_at, id order). */
  toolCalls: ToolUsageRow[];
}

/**
 * Agentic actions of many threads at once: per root id asked, the thread's interceptions
 * (root included) that have at least one tool call, chronological (started_at, id). Always
 * four statements, whatever the number of threads.
 */
export async function agenticActionsFor(db: Queryable, viewer: Viewer, rootIds: readonly string[], scope: SessionScope = {}): Promise<AgenticAction[][]> {
  const members = await db.query<InterceptionRow>(named('threads.agenticMembers')`
    SELECT ${interceptionColumns()} FROM aibridge_interceptions i
     WHERE ${threadMembership(uuidsOnly(rootIds))} AND ${interceptionConditions(viewer, scope)}
       AND EXISTS (SELECT 1 FROM aibridge_tool_usages t WHERE t.interception_id = i.id)
     ORDER BY i.started_at, i.id`);
  const ids = members.map((m) => m.id);
  const [tools, thoughts, totals] = await Promise.all([
    toolUsagesFor(db, ids),
    modelThoughtsFor(db, ids),
    tokenTotalsOfInterceptions(db, ids),
  ]);
  const actions = members.map((m, n) => ({
    interception: m,
    model: m.model,
    tokenUsage: totals.get(m.id)!,
    thinking: thoughts[n],
    toolCalls: tools[n],
  }));
  return byRoot(rootIds, actions, (a) => a.interception);
}

/** Items grouped under their thread's root id, one (possibly empty) list per root asked for. */
function byRoot<T>(rootIds: readonly string[], items: T[], row: (item: T) => InterceptionRow): T[][] {
  const map = new Map<string, T[]>(rootIds.map((id) => [id.toLowerCase(), []]));
  for (const item of items) {
    const r = row(item);
    map.get(r.threadRootId ?? r.id)?.push(item);
  }
  return rootIds.map((id) => map.get(id.toLowerCase())!);
}
