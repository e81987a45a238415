import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { InvalidCursorError } from './errors.ts';
import { isUuid, uuidsOnly } from './ids.ts';
import { interceptionConditions } from './interception-filter.ts';
import { keysetResult, type KeysetPage, type PageResult } from './paging.ts';
import type { SessionKey, SessionScope } from './session-key.ts';
import type { Capabilities } from '../db/capabilities.ts';
import { outcomeColumns, readOutcome, type InterceptionOutcome, type OutcomeColumns } from './interception-outcome.ts';
import { readTotals, tokenTotalsCtes, TOTALS_COLUMNS, type TokenTotals, type TotalsColumns } from './token-totals.ts';

/**
 * Threads: a root interception (thread_root_id IS NULL) and every interception whose
 * thread_root_id names it (an agentic loop). Defined once here for REST's session detail and
 * GraphQL's `Thread`. Statement counts do not grow with page size: threads are read with their
 * token totals in one statement; their members and agentic actions are in
 * thread-members.ts.
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
  /** Earliest started_at / latest ended_at over the thread's interceptions. */
  startedAt: string;
  endedAt: string | null;
  /** Token usage summed over the thread's interceptions. */
  tokenUsage: TokenTotals;
  /** The root's upstream error and firewall position; only when asked for (`outcomes`). */
  outcome?: InterceptionOutcome;
}

/**
 * A stored hint is shown only when it looks masked (`sk-a...efgh`, at most 15 characters);
 * anything else is shown as `...` so that an unmasked key never leaves the server.
 */
export function displayCredentialHint(hint: string): string {
  return hint.length > 15 || !hint.includes('...') ? '...' : hint;
}

type ThreadBase = Omit<ThreadRow, 'tokenUsage' | 'outcome'> & { ord: string };

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
  outcomes?: Capabilities,
): Promise<PageResult<ThreadRow>> {
  const after = page.after === undefined ? undefined : await threadPosition(db, viewer, session, page.after, scope);
  const before = page.before === undefined ? undefined : await threadPosition(db, viewer, session, page.before, scope);
  const where = [sql`r.session_id = ${session.sessionId}`, sql`r.initiator_id = ${session.initiatorId}::uuid`];
  if (after) where.push(sql`(r.started_at, r.id) > (${after.startedAt}::timestamptz, ${after.id}::uuid)`);
  if (before) where.push(sql`(r.started_at, r.id) < (${before.startedAt}::timestamptz, ${before.id}::uuid)`);
  const rows = await selectThreads(db, viewer, scope, 'threads.page', where, {
    order: page.fromEnd ? sql`r.started_at DESC, r.id DESC` : sql`r.started_at ASC, r.id ASC`,
    limit: page.limit + 1,
    offset: page.offset ?? 0,
    outcomes,
  });
  return keysetResult(rows, page);
}

/** Threads by root id, in the order asked; null where absent, not a root, or invisible. */
export async function threadsByRootIds(db: Queryable, viewer: Viewer, ids: readonly string[], scope: SessionScope = {}): Promise<(ThreadRow | null)[]> {
  const where = [sql`r.id = ANY(${uuidsOnly(ids)}::uuid[])`];
  const rows = await selectThreads(db, viewer, scope, 'threads.byRootIds', where, { order: sql`r.started_at, r.id` });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** The (started_at, id) of the root of the thread holding interception `id` in this session. */
async function threadPosition(db: Queryable, viewer: Viewer, session: SessionKey, id: string, scope: SessionScope) {
  if (!isUuid(id)) throw new InvalidCursorError(id);
  const [row] = await db.query<{ startedAt: string; id: string }>(named('threads.position')`
    SELECT r.started_at AS "startedAt", r.id FROM aibridge_interceptions x
      JOIN aibridge_interceptions r ON r.id = COALESCE(x.thread_root_id, x.id)
     WHERE x.id = ${id.toLowerCase()}::uuid AND x.session_id = ${session.sessionId}
       AND x.initiator_id = ${session.initiatorId}::uuid
       AND ${interceptionConditions(viewer, scope, sql`x`)} AND ${interceptionConditions(viewer, scope, sql`r`)}`);
  if (!row) throw new InvalidCursorError(id);
  return row;
}

/**
 * Root rows with their first prompt, the span of their thread and its token totals, one
 * statement (the totals were a second statement: 12 -> fewer per session detail, issue 13).
 * Roots are picked first (`page`), so the totals read only the page's threads: the membership
 * test takes the page's ids as one array (an InitPlan), which keeps the (id) and (thread_root_id)
 * index scans the bound-array form had.
 * With `outcomes`, the root's upstream error and firewall position come along (where the
 * database has those columns).
 */
async function selectThreads(
  db: Queryable,
  viewer: Viewer,
  scope: SessionScope,
  name: string,
  where: SqlFragment[],
  o: { order: SqlFragment; limit?: number; offset?: number; outcomes?: Capabilities },
): Promise<ThreadRow[]> {
  const all = [...where, sql`r.thread_root_id IS NULL`, interceptionConditions(viewer, scope, sql`r`)];
  const roots = sql`ARRAY(SELECT id FROM page)`;
  const source = sql`SELECT COALESCE(i.thread_root_id, i.id)::text AS grp, i.id AS interception_id FROM aibridge_interceptions i
    WHERE (i.id = ANY(${roots}) OR i.thread_root_id = ANY(${roots})) AND ${interceptionConditions(viewer, scope)}`;
  const rows = await db.query<ThreadBase & TotalsColumns & OutcomeColumns>(named(name)`
    WITH RECURSIVE page AS (
      SELECT r.id, r.session_id AS "sessionId", r.initiator_id AS "initiatorId", r.model, r.provider,
             r.credential_kind::text AS "credentialKind", r.credential_hint AS "credentialHint",
             (SELECT pr.prompt FROM aibridge_user_prompts pr WHERE pr.interception_id = r.id
               ORDER BY pr.created_at, pr.id LIMIT 1) AS prompt,
             span.started_at AS "startedAt", span.ended_at AS "endedAt", row_number() OVER (ORDER BY ${o.order}) AS ord${o.outcomes ? sql`, ${outcomeColumns(o.outcomes, sql`r`)}` : sql.empty}
        FROM aibridge_interceptions r
        CROSS JOIN LATERAL (
          SELECT min(m.started_at) AS started_at, max(m.ended_at) AS ended_at FROM aibridge_interceptions m
           WHERE (m.id = r.id OR m.thread_root_id = r.id) AND ${interceptionConditions(viewer, scope, sql`m`)}
        ) span
       WHERE ${sql.join(all, sql` AND `)}
       ORDER BY ${o.order}
       ${o.limit === undefined ? sql.empty : sql`LIMIT ${o.limit} OFFSET ${o.offset ?? 0}`}
    ),
    ${tokenTotalsCtes(source)}
    SELECT page.*, ${TOTALS_COLUMNS} FROM page LEFT JOIN totals ON totals.grp = page.id::text ORDER BY page.ord`);
  return rows.map(({ input, output, cacheRead, cacheWrite, metaKeys, metaValues, ord: _ord, errorType, errorMessage, firewallSessionId, firewallSequenceNumber, ...base }) => {
    const row: ThreadRow = { ...base, tokenUsage: readTotals({ input, output, cacheRead, cacheWrite, metaKeys, metaValues }) };
    if (o.outcomes) row.outcome = readOutcome({ errorType, errorMessage, firewallSessionId, firewallSequenceNumber });
    return row;
  });
}
