import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { interceptionConditions } from './interception-filter.ts';
import { joinSessionKeys, sessionGroupKey, type SessionKey, type SessionScope } from './session-key.ts';
import type { StatsRow } from './session-stats.ts';
import { tokenTotalsBySource, type TokenTotals } from './token-totals.ts';

/**
 * The whole-group aggregates of sessions (SPEC §4: providers, models, client, metadata,
 * lastPrompt, tokenUsage), from every visible row of each group, the list filter deliberately
 * ignored (in-flight rows only with scope.includeInFlight).
 */

export interface SessionRow extends StatsRow {
  /** Sorted distinct values over the whole group (byte order, as Go's sort.Strings). */
  providers: string[];
  models: string[];
  /** client and metadata of the group's earliest interception (started_at, id). */
  client: string | null;
  metadata: unknown;
  /** Text of the group's newest prompt; null when the group has none. */
  lastPrompt: string | null;
  /** Token usage summed over the whole group, metadata aggregated. */
  tokenUsage: TokenTotals;
}

export interface GroupRow extends SessionKey {
  providers: string[];
  models: string[];
  client: string | null;
  metadata: unknown;
  lastPrompt: string | null;
}

/** Adds the whole-group aggregates to a page of groups: two statements for any page size. */
export async function enrichSessions(db: Queryable, viewer: Viewer, stats: StatsRow[], scope: SessionScope): Promise<SessionRow[]> {
  const members = groupMembers(viewer, stats, scope);
  const groupRows = await db.query<GroupRow>(named('sessions.groupAggregates')`
    WITH r AS (${members})
    SELECT ${GROUP_AGGREGATES} FROM r GROUP BY r.session_id, r.initiator_id`);
  const tokenSource = sql`SELECT r.initiator_id::text || ' ' || r.session_id AS grp, r.id AS interception_id FROM (${members}) r`;
  const totals = await tokenTotalsBySource(db, 'tokenTotals.sessions', tokenSource, stats.map(sessionGroupKey));
  const byKey = new Map(groupRows.map((g) => [sessionGroupKey(g), g]));
  return stats.map((s) => enrichedRow(s, byKey.get(sessionGroupKey(s)), totals.get(sessionGroupKey(s))!));
}

/** The whole-group aggregates (GroupRow's columns) over member rows `r`, grouped by session key. */
export const GROUP_AGGREGATES = sql`r.session_id AS "sessionId", r.initiator_id AS "initiatorId",
           array_agg(DISTINCT r.provider COLLATE "C" ORDER BY r.provider COLLATE "C") AS providers,
           array_agg(DISTINCT r.model COLLATE "C" ORDER BY r.model COLLATE "C") AS models,
           (array_agg(r.client ORDER BY r.started_at, r.id))[1] AS client,
           (array_agg(r.metadata ORDER BY r.started_at, r.id))[1] AS metadata,
           (SELECT pr.prompt FROM aibridge_user_prompts pr
             WHERE pr.interception_id = ANY (array_agg(r.id))
             ORDER BY pr.created_at DESC, pr.id DESC LIMIT 1) AS "lastPrompt"`;

/** The whole-group aggregates of a GROUP_AGGREGATES row, with its token totals, added to `s`. */
export function enrichedRow(s: StatsRow, g: GroupRow | undefined, tokenUsage: TokenTotals): SessionRow {
  return {
    ...s,
    providers: g?.providers ?? [],
    models: g?.models ?? [],
    client: g?.client ?? null,
    metadata: g?.metadata ?? null,
    lastPrompt: g?.lastPrompt ?? null,
    tokenUsage,
  };
}

/** Every visible interception of the given groups (the list filter deliberately ignored). */
function groupMembers(viewer: Viewer, keys: readonly SessionKey[], scope: SessionScope): SqlFragment {
  return sql`SELECT i.* FROM aibridge_interceptions i ${joinSessionKeys(keys)}
   WHERE ${interceptionConditions(viewer, { includeInFlight: scope.includeInFlight })}`;
}
