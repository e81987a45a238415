import { sql, type SqlFragment } from '../db/sql.ts';
import type { SessionKey } from './session-key.ts';

/**
 * The filtered aggregates of session groups as SQL: the shape every sessions statement shares
 * (the list page, the count's cursor lookup, lookups by key).
 */

/** A position in the list order (lastActiveAt DESC, sessionId DESC, initiatorId DESC). */
export interface SessionCursor extends SessionKey {
  lastActiveAt: string;
}

/** What `statsCtes` computes per group, as STATS_COLUMNS selects it. */
export interface StatsRow extends SessionKey {
  startedAt: string;
  endedAt: string | null;
  threadCount: number;
  lastActiveAt: string;
}

export const ORDER_DESC = sql`last_active_at DESC, session_id COLLATE "C" DESC, initiator_id DESC`;
export const ORDER_ASC = sql`last_active_at ASC, session_id COLLATE "C" ASC, initiator_id ASC`;
export const POSITION = sql`(last_active_at, session_id COLLATE "C", initiator_id)`;

export const STATS_COLUMNS = sql`session_id AS "sessionId", initiator_id AS "initiatorId", started_at AS "startedAt", ended_at AS "endedAt",
  threads::int AS "threadCount", last_active_at AS "lastActiveAt"`;

/** A cursor as a row value comparable with POSITION. */
export function cursorTuple(c: SessionCursor): SqlFragment {
  return sql`${c.lastActiveAt}::timestamptz, ${c.sessionId}::text COLLATE "C", ${c.initiatorId}::uuid`;
}

/**
 * CTEs `<prefix>f … <prefix>s`: per group, the aggregates of the rows matching `conds`
 * (optionally only the groups listed by `keys`, a FROM item `k(session_id, initiator_id)`).
 * Listed groups are read group by group through the (session_id, initiator_id) index (a lateral
 * join: a plain IN let the planner pick a 1M-row scan), and each member's newest prompt through
 * the (interception_id, created_at) index: a hash join there read the whole prompts table
 * (~90 ms at 1M interceptions) to use a few hundred of its rows. Without keys every matching
 * row is grouped, and a hash join is the right shape for that.
 */
export function statsCtes(prefix: string, conds: SqlFragment, keys?: SqlFragment): SqlFragment {
  const [f, g, lp, s] = [`${prefix}f`, `${prefix}g`, `${prefix}lp`, `${prefix}s`].map(sql.ident);
  const columns = sql`i.id, i.session_id, i.initiator_id, i.started_at, i.ended_at, i.thread_root_id`;
  const rows = keys
    ? sql`SELECT ${columns} FROM ${keys} CROSS JOIN LATERAL (
         SELECT * FROM aibridge_interceptions i WHERE i.session_id = k.session_id AND i.initiator_id = k.initiator_id AND ${conds}
         OFFSET 0 -- keeps the subquery per group (not flattened into a hash join over every row)
       ) i`
    : sql`SELECT ${columns} FROM aibridge_interceptions i WHERE ${conds}`;
  const newestPrompts = keys
    ? sql`SELECT x.session_id, x.initiator_id, max(pr.at) AS at
         FROM ${f} x CROSS JOIN LATERAL (
           SELECT pr.created_at AS at FROM aibridge_user_prompts pr WHERE pr.interception_id = x.id ORDER BY pr.created_at DESC LIMIT 1
         ) pr
        GROUP BY x.session_id, x.initiator_id`
    : sql`SELECT x.session_id, x.initiator_id, max(pr.created_at) AS at
         FROM ${f} x JOIN aibridge_user_prompts pr ON pr.interception_id = x.id
        GROUP BY x.session_id, x.initiator_id`;
  return sql`${f} AS MATERIALIZED (${rows}),
    ${g} AS (
      SELECT session_id, initiator_id, min(started_at) AS started_at, max(ended_at) AS ended_at,
             count(*) FILTER (WHERE thread_root_id IS NULL) AS threads
        FROM ${f} GROUP BY session_id, initiator_id
    ),
    ${lp} AS (${newestPrompts}),
    ${s} AS (
      SELECT g.session_id, g.initiator_id, g.started_at, g.ended_at, g.threads, COALESCE(lp.at, g.started_at) AS last_active_at
        FROM ${g} g LEFT JOIN ${lp} lp ON lp.session_id = g.session_id AND lp.initiator_id = g.initiator_id
    )`;
}

/** `WITH … s AS (…)`: the aggregates of the rows matching `conds`, optionally only of `restrict`'s groups. */
export function groupedStats(conds: SqlFragment, restrict?: readonly SessionKey[]): SqlFragment {
  const keys = restrict
    ? sql`unnest(${restrict.map((k) => k.sessionId)}::text[], ${restrict.map((k) => k.initiatorId)}::uuid[]) AS k(session_id, initiator_id)`
    : undefined;
  return sql`WITH ${statsCtes('', conds, keys)}`;
}
