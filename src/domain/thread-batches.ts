import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql } from '../db/sql.ts';
import { interceptionConditions } from './interception-filter.ts';
import { keysetResult, type PageResult } from './paging.ts';
import { joinSessionKeys, sessionGroupKey, type SessionKey, type SessionScope } from './session-key.ts';
import { threadsByRootIds, type ThreadRow } from './threads.ts';

/**
 * Thread reads for many sessions at once, for nested GraphQL lists (`sessions { threads }`): a
 * fixed number of statements whatever the number of parents. Thread rows themselves come from
 * threads.ts (`threadsByRootIds`), so a thread has one definition; this file only chooses which
 * roots belong on each page.
 */

/**
 * The first (or, fromEnd, the last) `limit` threads of each session, in thread order
 * (root started_at ASC, id ASC): one statement picks the roots per session with a window, then
 * threadsByRootIds reads them all. Cursor pages of a single session use listThreads instead.
 */
export async function firstThreadPages(
  db: Queryable,
  viewer: Viewer,
  sessions: readonly SessionKey[],
  page: { limit: number; fromEnd?: boolean },
  scope: SessionScope = {},
): Promise<PageResult<ThreadRow>[]> {
  const order = page.fromEnd ? sql`r.started_at DESC, r.id DESC` : sql`r.started_at ASC, r.id ASC`;
  const roots = await db.query<{ id: string; sessionId: string; initiatorId: string }>(named('threads.firstPagesOfSessions')`
    SELECT id, session_id AS "sessionId", initiator_id AS "initiatorId" FROM (
      SELECT r.id, r.session_id, r.initiator_id,
             row_number() OVER (PARTITION BY r.session_id, r.initiator_id ORDER BY ${order}) AS n
        FROM aibridge_interceptions r ${joinSessionKeys(sessions, sql`r`)}
       WHERE r.thread_root_id IS NULL AND ${interceptionConditions(viewer, scope, sql`r`)}
    ) x WHERE n <= ${page.limit + 1} ORDER BY n`);
  const perSession = new Map<string, string[]>(sessions.map((s) => [sessionGroupKey(s), []]));
  for (const r of roots) perSession.get(sessionGroupKey(r))?.push(r.id);
  const pages = sessions.map((s) => keysetResult(perSession.get(sessionGroupKey(s))!, page));
  const threads = await threadsByRootIds(db, viewer, pages.flatMap((pg) => pg.rows), scope);
  const byId = new Map(threads.filter((t) => t !== null).map((t) => [t.id, t]));
  return pages.map((pg) => ({ rows: pg.rows.map((id) => byId.get(id)).filter((t) => t !== undefined), hasMore: pg.hasMore }));
}

/** Number of visible threads (roots) of each session; one statement for all of them. */
export async function threadCountsOfSessions(
  db: Queryable,
  viewer: Viewer,
  sessions: readonly SessionKey[],
  scope: SessionScope = {},
): Promise<number[]> {
  const rows = await db.query<SessionKey & { n: number }>(named('threads.countsOfSessions')`
    SELECT r.session_id AS "sessionId", r.initiator_id AS "initiatorId", count(*)::int AS n
      FROM aibridge_interceptions r ${joinSessionKeys(sessions, sql`r`)}
     WHERE r.thread_root_id IS NULL AND ${interceptionConditions(viewer, scope, sql`r`)}
     GROUP BY r.session_id, r.initiator_id`);
  const counts = new Map(rows.map((r) => [sessionGroupKey(r), r.n]));
  return sessions.map((s) => counts.get(sessionGroupKey(s)) ?? 0);
}
