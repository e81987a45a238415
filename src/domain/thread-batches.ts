import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { Params } from '../db/params.ts';
import { INTERCEPTION_COLUMNS, interceptionConditions, isUuid, type InterceptionRow, type PageResult } from './interceptions.ts';
import { sessionGroupKey, type SessionKey, type SessionScope } from './sessions.ts';
import { threadsByRootIds, type ThreadRow } from './threads.ts';

/**
 * Thread reads for many sessions or threads at once, for nested GraphQL lists
 * (`sessions { threads { interceptions } }`): a fixed number of statements whatever the number
 * of parents. Thread rows themselves come from threads.ts (`threadsByRootIds`), so a thread has
 * one definition; this file only chooses which roots belong on each page.
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
  const p = new Params();
  const dir = page.fromEnd ? 'DESC' : 'ASC';
  const roots = await db.query<{ id: string; sessionId: string; initiatorId: string }>(
    `SELECT id, session_id AS "sessionId", initiator_id AS "initiatorId" FROM (
       SELECT r.id, r.session_id, r.initiator_id,
              row_number() OVER (PARTITION BY r.session_id, r.initiator_id ORDER BY r.started_at ${dir}, r.id ${dir}) AS n
         FROM aibridge_interceptions r
         JOIN unnest(${p.add(sessions.map((s) => s.sessionId))}::text[], ${p.add(sessions.map((s) => s.initiatorId))}::uuid[])
              AS k(session_id, initiator_id) ON r.session_id = k.session_id AND r.initiator_id = k.initiator_id
        WHERE r.thread_root_id IS NULL AND ${interceptionConditions(viewer, scope, p, 'r')}
     ) x WHERE n <= ${p.add(page.limit + 1)} ORDER BY n`,
    p.values,
  );
  const perSession = new Map<string, string[]>(sessions.map((s) => [sessionGroupKey(s), []]));
  for (const r of roots) perSession.get(sessionGroupKey(r))?.push(r.id);
  const pages = sessions.map((s) => {
    const ids = perSession.get(sessionGroupKey(s))!;
    const kept = ids.slice(0, page.limit);
    return { ids: page.fromEnd ? kept.reverse() : kept, hasMore: ids.length > page.limit };
  });
  const threads = await threadsByRootIds(db, viewer, pages.flatMap((pg) => pg.ids), scope);
  const byId = new Map(threads.filter((t) => t !== null).map((t) => [t.id, t]));
  return pages.map((pg) => ({ rows: pg.ids.map((id) => byId.get(id)).filter((t) => t !== undefined), hasMore: pg.hasMore }));
}

/** Every visible interception of each thread (root included), chronological; one statement. */
export async function interceptionsOfThreads(
  db: Queryable,
  viewer: Viewer,
  rootIds: readonly string[],
  scope: SessionScope = {},
): Promise<InterceptionRow[][]> {
  const p = new Params();
  const roots = p.add(rootIds.filter(isUuid).map((id) => id.toLowerCase()));
  const rows = await db.query<InterceptionRow>(
    `SELECT ${INTERCEPTION_COLUMNS()} FROM aibridge_interceptions i
      WHERE (i.id = ANY(${roots}::uuid[]) OR i.thread_root_id = ANY(${roots}::uuid[]))
        AND ${interceptionConditions(viewer, scope, p)}
      ORDER BY i.started_at, i.id`,
    p.values,
  );
  const byRoot = new Map<string, InterceptionRow[]>(rootIds.map((id) => [id.toLowerCase(), []]));
  for (const r of rows) byRoot.get(r.threadRootId ?? r.id)?.push(r);
  return rootIds.map((id) => byRoot.get(id.toLowerCase())!);
}

/** Number of visible threads (roots) of each session; one statement for all of them. */
export async function threadCountsOfSessions(
  db: Queryable,
  viewer: Viewer,
  sessions: readonly SessionKey[],
  scope: SessionScope = {},
): Promise<number[]> {
  const p = new Params();
  const rows = await db.query<SessionKey & { n: number }>(
    `SELECT r.session_id AS "sessionId", r.initiator_id AS "initiatorId", count(*)::int AS n
       FROM aibridge_interceptions r
       JOIN unnest(${p.add(sessions.map((s) => s.sessionId))}::text[], ${p.add(sessions.map((s) => s.initiatorId))}::uuid[])
            AS k(session_id, initiator_id) ON r.session_id = k.session_id AND r.initiator_id = k.initiator_id
      WHERE r.thread_root_id IS NULL AND ${interceptionConditions(viewer, scope, p, 'r')}
      GROUP BY r.session_id, r.initiator_id`,
    p.values,
  );
  const counts = new Map(rows.map((r) => [sessionGroupKey(r), r.n]));
  return sessions.map((s) => counts.get(sessionGroupKey(s)) ?? 0);
}
