import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql } from '../db/sql.ts';
import { isUuid } from './ids.ts';
import { interceptionConditions } from './interception-filter.ts';
import { enrichedRow, GROUP_AGGREGATES, type GroupRow, type SessionRow } from './session-enrich.ts';
import { statsCtes, STATS_COLUMNS, type StatsRow } from './session-stats.ts';
import { readTotals, tokenTotalsCtes, TOTALS_COLUMNS, type TotalsColumns } from './token-totals.ts';
import type { UserRow } from './users.ts';

/**
 * The head of REST's session detail in ONE statement: which session the path names
 * (findSession's rule), its filtered and whole-group aggregates (sessionsByKeys), its token
 * totals and its initiator. These were five statements (sessions.find, sessions.byKeys,
 * sessions.groupAggregates, tokenTotals.sessions, users.byIds), each waiting for the one before;
 * the page sent 12 in all (issue 13). The CTEs are the same fragments those statements use, so
 * the definitions stay in session-stats.ts, session-enrich.ts and token-totals.ts.
 */

export interface SessionHead {
  session: SessionRow;
  /** null where the users row is absent (soft-deleted users are found). */
  initiator: UserRow | null;
}

type HeadRow = StatsRow &
  Omit<GroupRow, 'sessionId' | 'initiatorId'> &
  TotalsColumns & { userId: string | null; username: string | null; name: string | null; avatarUrl: string | null };

/**
 * The session with this session id, or holding the interception with this UUID (an interception
 * UUID wins; a session id shared by several initiators resolves to the most recently started
 * group), completed interceptions only; null when the viewer may see no such session.
 */
export async function sessionHead(db: Queryable, viewer: Viewer, idOrUuid: string): Promise<SessionHead | null> {
  const conds = interceptionConditions(viewer, {});
  // Not the literal FALSE: it is also an ORDER BY key, and PostgreSQL rejects a constant there.
  const byId = isUuid(idOrUuid) ? sql`i.id = ${idOrUuid.toLowerCase()}::uuid` : sql`i.id IS NULL`;
  const [row] = await db.query<HeadRow>(named('sessions.detailHead')`
    WITH RECURSIVE sk AS (
      SELECT i.session_id, i.initiator_id FROM aibridge_interceptions i
       WHERE (${byId} OR i.session_id = ${idOrUuid}) AND ${conds}
       ORDER BY (${byId}) DESC, i.started_at DESC, i.id DESC LIMIT 1
    ),
    ${statsCtes('', conds, sql`sk k`)},
    r AS (
      SELECT i.* FROM sk k JOIN aibridge_interceptions i ON i.session_id = k.session_id AND i.initiator_id = k.initiator_id WHERE ${conds}
    ),
    agg AS (SELECT ${GROUP_AGGREGATES} FROM r GROUP BY r.session_id, r.initiator_id),
    ${tokenTotalsCtes(sql`SELECT ''::text AS grp, r.id AS interception_id FROM r`)}
    SELECT ${STATS_COLUMNS}, agg.providers, agg.models, agg.client, agg.metadata, agg."lastPrompt", ${TOTALS_COLUMNS},
           u.id AS "userId", u.username, u.name, u.avatar_url AS "avatarUrl"
      FROM s LEFT JOIN agg ON TRUE LEFT JOIN totals ON TRUE LEFT JOIN users u ON u.id = s.initiator_id`);
  if (!row) return null;
  const { providers, models, client, metadata, lastPrompt, input, output, cacheRead, cacheWrite, metaKeys, metaValues, userId, username, name, avatarUrl, ...stats } = row;
  const group: GroupRow = { sessionId: stats.sessionId, initiatorId: stats.initiatorId, providers, models, client, metadata, lastPrompt };
  return {
    session: enrichedRow(stats, group, readTotals({ input, output, cacheRead, cacheWrite, metaKeys, metaValues })),
    initiator: userId === null ? null : { id: userId, username: username!, name: name!, avatarUrl: avatarUrl! },
  };
}
