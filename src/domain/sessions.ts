import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { isUuid } from './ids.ts';
import { interceptionConditions, type InterceptionFilter } from './interception-filter.ts';
import { keysetResult, type KeysetPage, type PageResult } from './paging.ts';
import { enrichSessions, type SessionRow } from './session-enrich.ts';
import { sessionGroupKey, type SessionKey, type SessionScope } from './session-key.ts';
import { DEFAULT_SESSION_PAGE_WINDOWS, forwardPage, type SessionPageWindow } from './session-page.ts';
import { cursorTuple, groupedStats, ORDER_ASC, ORDER_DESC, POSITION, STATS_COLUMNS, type SessionCursor, type StatsRow } from './session-stats.ts';

/**
 * Sessions: the interceptions sharing (session_id, initiator_id). Defined once here for REST
 * (`/sessions`, `/sessions/{id}`) and GraphQL (`Session`).
 *
 * Two kinds of aggregate (SPEC §4):
 * - from the rows matching the list filter: startedAt, endedAt, threadCount, lastActiveAt
 *   (session-stats.ts);
 * - from every row of the group (filter ignored, visibility and in-flight rule kept): providers,
 *   models, client, metadata, lastPrompt, tokenUsage (session-enrich.ts).
 * A lookup by key has no filter, so both kinds cover the whole group there.
 *
 * Lists paginate first (a narrow grouped statement, ordered and limited; session-page.ts finds
 * the forward page without grouping everything) and enrich only the page afterwards, so the
 * number of statements is the same for any page size.
 */

export type { SessionCursor, SessionKey, SessionRow, SessionScope };

/** The list cursor of a row (for GraphQL edges; REST resolves `after_session_id` instead). */
export function sessionCursorOf(s: SessionRow): SessionCursor {
  return { lastActiveAt: s.lastActiveAt, sessionId: s.sessionId, initiatorId: s.initiatorId };
}

/** Knobs of the forward page's search, for tests that exercise each way of finding it. */
export interface SessionListOptions {
  windows?: readonly SessionPageWindow[];
  /** Told which way the forward page was found (`window N`, `full`, or `empty`). */
  onPath?: (path: string) => void;
}

/**
 * Visible sessions matching the filter, most recently active first, by keyset (`after` older,
 * `before` newer, `fromEnd` for Relay's `last`) or offset; enriched with the whole-group
 * aggregates. Statements: one for the page, two for the enrichment (none extra per row).
 */
export async function listSessions(
  db: Queryable,
  viewer: Viewer,
  filter: InterceptionFilter,
  page: KeysetPage<SessionCursor>,
  options: SessionListOptions = {},
): Promise<PageResult<SessionRow>> {
  const reverse = Boolean(page.fromEnd);
  const forward = !reverse && !page.before;
  const conds = interceptionConditions(viewer, filter);
  let rows: (StatsRow & { via?: string })[];
  if (forward) {
    rows = await db.query<StatsRow & { via: string }>(named('sessions.page')`
      ${forwardPage(conds, page, options.windows ?? DEFAULT_SESSION_PAGE_WINDOWS)}
      SELECT ${STATS_COLUMNS}, via FROM s
       ORDER BY ${ORDER_DESC} LIMIT ${page.limit + 1} OFFSET ${page.offset ?? 0}`);
    options.onPath?.(rows[0]?.via ?? 'empty');
    for (const r of rows) delete r.via;
  } else {
    const where: SqlFragment[] = [];
    if (page.after) where.push(sql`${POSITION} < (${cursorTuple(page.after)})`);
    if (page.before) where.push(sql`${POSITION} > (${cursorTuple(page.before)})`);
    rows = await db.query<StatsRow>(named('sessions.pageBackward')`
      ${groupedStats(conds)}
      SELECT ${STATS_COLUMNS} FROM s ${where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql.empty}
       ORDER BY ${reverse ? ORDER_ASC : ORDER_DESC} LIMIT ${page.limit + 1} OFFSET ${page.offset ?? 0}`);
  }
  const { rows: kept, hasMore } = keysetResult(rows, page);
  return { rows: await enrichSessions(db, viewer, kept, { includeInFlight: filter.includeInFlight }), hasMore };
}

/** Number of sessions matching the filter (groups of matching rows); ignores paging. */
export async function countSessions(db: Queryable, viewer: Viewer, filter: InterceptionFilter): Promise<number> {
  const [row] = await db.query<{ n: string }>(named('sessions.count')`
    SELECT count(*) AS n FROM (
      SELECT 1 FROM aibridge_interceptions i WHERE ${interceptionConditions(viewer, filter)} GROUP BY i.session_id, i.initiator_id
    ) g`);
  return Number(row.n);
}

/**
 * The list position of the session with this session id among the sessions matching the
 * filter (REST's `after_session_id`); null when there is none the viewer may see. When several
 * initiators share the session id, the first of them in list order is taken.
 */
export async function sessionCursorFor(
  db: Queryable,
  viewer: Viewer,
  filter: InterceptionFilter,
  sessionId: string,
): Promise<SessionCursor | null> {
  const [row] = await db.query<StatsRow>(named('sessions.cursorFor')`
    ${groupedStats(interceptionConditions(viewer, { ...filter, sessionId }))}
    SELECT ${STATS_COLUMNS} FROM s ORDER BY ${ORDER_DESC} LIMIT 1`);
  return row ? { lastActiveAt: row.lastActiveAt, sessionId: row.sessionId, initiatorId: row.initiatorId } : null;
}

/**
 * Resolves a session id, or the UUID of ANY interception of a session (a deliberate
 * improvement over Coder, which resolves only root UUIDs), to the session's key; null when
 * the viewer may see no such session. An interception UUID wins over an equal session id;
 * a session id shared by several initiators resolves to the most recently started group.
 */
export async function findSession(db: Queryable, viewer: Viewer, idOrUuid: string, scope: SessionScope = {}): Promise<SessionKey | null> {
  const conds = interceptionConditions(viewer, { includeInFlight: scope.includeInFlight });
  // Not a UUID: no interception has that id. Not the literal FALSE: it is also an ORDER BY key
  // below, and PostgreSQL rejects a constant there ("non-integer constant in ORDER BY").
  const byId = isUuid(idOrUuid) ? sql`i.id = ${idOrUuid.toLowerCase()}::uuid` : sql`i.id IS NULL`;
  const [row] = await db.query<SessionKey>(named('sessions.find')`
    SELECT i.session_id AS "sessionId", i.initiator_id AS "initiatorId" FROM aibridge_interceptions i
     WHERE (${byId} OR i.session_id = ${idOrUuid}) AND ${conds}
     ORDER BY (${byId}) DESC, i.started_at DESC, i.id DESC LIMIT 1`);
  return row ?? null;
}

/**
 * Whole sessions by key (GraphQL node lookups, REST session detail), in the order asked; null
 * where the viewer may see no row of that group. Both kinds of aggregate cover the whole group.
 */
export async function sessionsByKeys(
  db: Queryable,
  viewer: Viewer,
  keys: readonly SessionKey[],
  scope: SessionScope = {},
): Promise<(SessionRow | null)[]> {
  const stats = await db.query<StatsRow>(named('sessions.byKeys')`
    ${groupedStats(interceptionConditions(viewer, { includeInFlight: scope.includeInFlight }), keys)}
    SELECT ${STATS_COLUMNS} FROM s`);
  const rows = await enrichSessions(db, viewer, stats, scope);
  const byKey = new Map(rows.map((r) => [sessionGroupKey(r), r]));
  return keys.map((k) => byKey.get(sessionGroupKey(k)) ?? null);
}
