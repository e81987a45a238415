import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { Params } from '../db/params.ts';
import { modelThoughtsFor, toolUsagesFor, type ModelThoughtRow, type ToolUsageRow } from './children.ts';
import { InvalidCursorError } from './errors.ts';
import { INTERCEPTION_COLUMNS, interceptionConditions, isUuid, keysetResult, type InterceptionRow, type KeysetPage, type PageResult } from './interceptions.ts';
import type { SessionKey, SessionScope } from './sessions.ts';
import { tokenTotalsBySource, type TokenTotals } from './token-totals.ts';

/**
 * Threads: a root interception (thread_root_id IS NULL) and every interception whose
 * thread_root_id names it (an agentic loop). Defined once here for REST's session detail and
 * GraphQL's `Thread` / `AgenticAction`. Statement counts do not grow with page size: threads
 * are read in one statement, their token totals in one, agentic actions in four.
 */

export interface ThreadRow {
  /** The root interception's id. */
  id: string;
  sessionId: string;
  initiatorId: string;
  /** First prompt (created_at, id) of the root; null when it has none. */
  prompt: string | null;
  /** model, provider and credentials of the root. */
  model: string;
  provider: string;
  credentialKind: 'centralized' | 'byok';
  /** As stored; see `displayCredentialHint` for what may be shown. */
  credentialHint: string;
  /** The root's started_at: the thread order (with id). */
  /** Earliest started_at / latest ended_at over the thread's interceptions. */
  startedAt: string;
  endedAt: string | null;
  /** Token usage summed over the thread's interceptions. */
  tokenUsage: TokenTotals;
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
 * A stored hint is shown only when it looks masked (`sk-a...efgh`, at most 15 characters);
 * anything else is shown as `...` so that an unmasked key never leaves the server.
 */
export function displayCredentialHint(hint: string): string {
  return hint.length > 15 || !hint.includes('...') ? '...' : hint;
}

interface ThreadBase extends Omit<ThreadRow, 'tokenUsage'> {}

/**
 * The threads of one session, ordered (root started_at ASC, root id ASC). Cursors are UUIDs of
 * any interception of the session (the position is that of its thread's root): `after` reads
 * the threads after it, `before` those before it; `fromEnd` takes the `limit` threads nearest
 * the end of the range (REST's `before_id` passes it: the threads immediately before the
 * cursor, a fix over Coder which returned the oldest ones). Rows always come back ascending.
 * Throws InvalidCursorError when a cursor is not an interception of this session.
 */
export async function listThreads(
  db: Queryable,
  viewer: Viewer,
  session: SessionKey,
  page: KeysetPage<string>,
  scope: SessionScope = {},
): Promise<PageResult<ThreadRow>> {
  const after = page.after === undefined ? undefined : await threadPosition(db, viewer, session, page.after, scope);
  const before = page.before === undefined ? undefined : await threadPosition(db, viewer, session, page.before, scope);
  const p = new Params();
  const where = [
    `r.session_id = ${p.add(session.sessionId)}`,
    `r.initiator_id = ${p.add(session.initiatorId)}::uuid`,
  ];
  if (after) where.push(`(r.started_at, r.id) > (${p.add(after.startedAt)}::timestamptz, ${p.add(after.id)}::uuid)`);
  if (before) where.push(`(r.started_at, r.id) < (${p.add(before.startedAt)}::timestamptz, ${p.add(before.id)}::uuid)`);
  const reverse = Boolean(page.fromEnd);
  const rows = await selectThreads(db, viewer, scope, p, where, {
    order: reverse ? 'r.started_at DESC, r.id DESC' : 'r.started_at ASC, r.id ASC',
    limit: page.limit + 1,
    offset: page.offset ?? 0,
  });
  const { rows: kept, hasMore } = keysetResult(rows, page);
  return { rows: await withTokenTotals(db, viewer, kept, scope), hasMore };
}

/** Threads by root id, in the order asked; null where absent, not a root, or invisible. */
export async function threadsByRootIds(db: Queryable, viewer: Viewer, ids: readonly string[], scope: SessionScope = {}): Promise<(ThreadRow | null)[]> {
  const p = new Params();
  const where = [`r.id = ANY(${p.add(ids.filter(isUuid).map((id) => id.toLowerCase()))}::uuid[])`];
  const rows = await withTokenTotals(db, viewer, await selectThreads(db, viewer, scope, p, where, { order: 'r.started_at, r.id' }), scope);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/**
 * Agentic actions of many threads at once: per root id asked, the thread's interceptions
 * (root included) that have at least one tool call, chronological (started_at, id). Always
 * four statements, whatever the number of threads.
 */
export async function agenticActionsFor(db: Queryable, viewer: Viewer, rootIds: readonly string[], scope: SessionScope = {}): Promise<AgenticAction[][]> {
  const roots = rootIds.filter(isUuid).map((id) => id.toLowerCase());
  const p = new Params();
  const members = await db.query<InterceptionRow>(
    `SELECT ${INTERCEPTION_COLUMNS()} FROM aibridge_interceptions i
      WHERE ${threadMembership(p.add(roots))} AND ${interceptionConditions(viewer, scope, p)}
        AND EXISTS (SELECT 1 FROM aibridge_tool_usages t WHERE t.interception_id = i.id)
      ORDER BY i.started_at, i.id`,
    p.values,
  );
  const ids = members.map((m) => m.id);
  const tp = new Params();
  const [tools, thoughts, totals] = await Promise.all([
    toolUsagesFor(db, ids),
    modelThoughtsFor(db, ids),
    tokenTotalsBySource(db, `SELECT i.id::text AS grp, i.id AS interception_id FROM aibridge_interceptions i WHERE i.id = ANY(${tp.add(ids)}::uuid[])`, tp.values, ids),
  ]);
  const byRoot = new Map<string, AgenticAction[]>(rootIds.map((id) => [id.toLowerCase(), []]));
  members.forEach((m, n) => {
    byRoot.get(m.threadRootId ?? m.id)?.push({
      interception: m,
      model: m.model,
      tokenUsage: totals.get(m.id)!,
      thinking: thoughts[n]!,
      toolCalls: tools[n]!,
    });
  });
  return rootIds.map((id) => byRoot.get(id.toLowerCase())!);
}

/** SQL: interception `i` belongs to one of the threads whose root ids are in `$roots`. */
function threadMembership(rootsParam: string, a = 'i'): string {
  return `(${a}.id = ANY(${rootsParam}::uuid[]) OR ${a}.thread_root_id = ANY(${rootsParam}::uuid[]))`;
}

/** The (started_at, id) of the root of the thread holding interception `id` in this session. */
async function threadPosition(db: Queryable, viewer: Viewer, session: SessionKey, id: string, scope: SessionScope) {
  if (!isUuid(id)) throw new InvalidCursorError(id);
  const p = new Params();
  const [row] = await db.query<{ startedAt: string; id: string }>(
    `SELECT r.started_at AS "startedAt", r.id FROM aibridge_interceptions x
       JOIN aibridge_interceptions r ON r.id = COALESCE(x.thread_root_id, x.id)
      WHERE x.id = ${p.add(id.toLowerCase())}::uuid AND x.session_id = ${p.add(session.sessionId)}
        AND x.initiator_id = ${p.add(session.initiatorId)}::uuid
        AND ${interceptionConditions(viewer, scope, p, 'x')} AND ${interceptionConditions(viewer, scope, p, 'r')}`,
    p.values,
  );
  if (!row) throw new InvalidCursorError(id);
  return row;
}

/** Root rows with their first prompt and the span of their thread, one statement. */
async function selectThreads(
  db: Queryable,
  viewer: Viewer,
  scope: SessionScope,
  p: Params,
  where: string[],
  o: { order: string; limit?: number; offset?: number },
): Promise<ThreadBase[]> {
  const all = [...where, 'r.thread_root_id IS NULL', interceptionConditions(viewer, scope, p, 'r')];
  return db.query<ThreadBase>(
    `SELECT r.id, r.session_id AS "sessionId", r.initiator_id AS "initiatorId", r.model, r.provider,
            r.credential_kind::text AS "credentialKind", r.credential_hint AS "credentialHint",
            (SELECT pr.prompt FROM aibridge_user_prompts pr WHERE pr.interception_id = r.id
              ORDER BY pr.created_at, pr.id LIMIT 1) AS prompt,
            span.started_at AS "startedAt", span.ended_at AS "endedAt"
       FROM aibridge_interceptions r
       CROSS JOIN LATERAL (
         SELECT min(m.started_at) AS started_at, max(m.ended_at) AS ended_at FROM aibridge_interceptions m
          WHERE (m.id = r.id OR m.thread_root_id = r.id) AND ${interceptionConditions(viewer, scope, p, 'm')}
       ) span
      WHERE ${all.join(' AND ')}
      ORDER BY ${o.order}
      ${o.limit === undefined ? '' : `LIMIT ${p.add(o.limit)} OFFSET ${p.add(o.offset ?? 0)}`}`,
    p.values,
  );
}

async function withTokenTotals(db: Queryable, viewer: Viewer, threads: ThreadBase[], scope: SessionScope): Promise<ThreadRow[]> {
  const p = new Params();
  const roots = threads.map((t) => t.id);
  const source = `SELECT COALESCE(i.thread_root_id, i.id)::text AS grp, i.id AS interception_id FROM aibridge_interceptions i
    WHERE ${threadMembership(p.add(roots))} AND ${interceptionConditions(viewer, scope, p)}`;
  const totals = await tokenTotalsBySource(db, source, p.values, roots);
  return threads.map((t) => ({ ...t, tokenUsage: totals.get(t.id)! }));
}
