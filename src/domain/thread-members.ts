import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { MODEL_THOUGHT_JSON, TOOL_USAGE_JSON, type ModelThoughtRow, type ToolUsageRow } from './children.ts';
import { uuidsOnly } from './ids.ts';
import { interceptionConditions } from './interception-filter.ts';
import { interceptionColumns, type InterceptionRow } from './interceptions.ts';
import type { SessionScope } from './session-key.ts';
import { readTotals, tokenTotalsCtes, TOTALS_COLUMNS, type TokenTotals, type TotalsColumns } from './token-totals.ts';

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
 * (root included) that have at least one tool call, chronological (started_at, id). ONE
 * statement whatever the number of threads: each member's tool calls and thoughts come as JSON
 * arrays beside it (their timestamps cast to text, the same text PostgreSQL sends for a column)
 * and its token totals from the shared totals CTEs. This was four statements (members, tool
 * calls, thoughts, totals); the session detail page sent 12 in all (issue 13).
 */
export async function agenticActionsFor(db: Queryable, viewer: Viewer, rootIds: readonly string[], scope: SessionScope = {}): Promise<AgenticAction[][]> {
  const source = sql`SELECT m.id::text AS grp, m.id AS interception_id FROM m`;
  const rows = await db.query<InterceptionRow & TotalsColumns & { toolCalls: ToolUsageRow[]; thinking: ModelThoughtRow[] | null }>(named('threads.agenticActions')`
    WITH RECURSIVE m AS MATERIALIZED (
      SELECT ${interceptionColumns()}, tc.calls AS "toolCalls" FROM aibridge_interceptions i
        CROSS JOIN LATERAL (
          SELECT json_agg(json_build_object(${TOOL_USAGE_JSON}) ORDER BY t.created_at, t.id) AS calls
            FROM aibridge_tool_usages t WHERE t.interception_id = i.id
        ) tc
       WHERE ${threadMembership(uuidsOnly(rootIds))} AND ${interceptionConditions(viewer, scope)} AND tc.calls IS NOT NULL
    ),
    ${tokenTotalsCtes(source)}
    SELECT m.*, ${TOTALS_COLUMNS},
           (SELECT json_agg(json_build_object(${MODEL_THOUGHT_JSON}) ORDER BY th.created_at, th.ctid)
              FROM aibridge_model_thoughts th WHERE th.interception_id = m.id) AS thinking
      FROM m LEFT JOIN totals ON totals.grp = m.id::text
     ORDER BY m."startedAt", m.id`);
  const actions = rows.map(({ input, output, cacheRead, cacheWrite, metaKeys, metaValues, toolCalls, thinking, ...interception }) => ({
    interception,
    model: interception.model,
    tokenUsage: readTotals({ input, output, cacheRead, cacheWrite, metaKeys, metaValues }),
    thinking: thinking ?? [],
    toolCalls,
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
