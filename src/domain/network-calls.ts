import type { Viewer } from '../auth/viewer.ts';
import type { Capabilities } from '../db/capabilities.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { uuidsOnly } from './ids.ts';
import { interceptionConditions } from './interception-filter.ts';
import { keysetResult, type KeysetPage, type PageResult } from './paging.ts';
import { joinSessionKeys, sessionGroupKey, type SessionKey } from './session-key.ts';

/**
 * Agent Firewall network calls of AI sessions, by Coder's window rules (coder-current.md):
 * each completed interception i of the session that carries both firewall columns owns the
 * boundary_logs rows of its firewall session with i.seq < sequence_number < next_seq, where
 * next_seq is the smallest larger sequence number among ALL interceptions of that firewall
 * session (any AI session, in flight or not), else 2147483647. Every protocol counts; a row is
 * blocked when matched_rule IS NULL. A session none of whose interceptions has a firewall
 * session has no network calls at all (null: Coder's UI shows "Disabled"), which is also what
 * every session has where the database lacks the columns or the table.
 *
 * Windows are read through the (agent_firewall_session_id, agent_firewall_sequence_number)
 * index of interceptions and the (session_id, sequence_number) index of boundary_logs: one
 * statement for any number of sessions, never one per interception.
 */

export interface NetworkCalls {
  total: number;
  blocked: number;
}

export interface NetworkCallLog {
  id: string;
  /** The firewall (boundary) session id. */
  sessionId: string;
  sequenceNumber: number;
  allowed: boolean;
  createdAt: string;
  proto: string;
  method: string;
  detail: string;
  matchedRule: string | null;
  capturedAt: string;
}

/** A position in the log order (created_at, sequence_number, id). */
export interface NetworkCallCursor {
  createdAt: string;
  sequenceNumber: number;
  id: string;
}

export interface DomainCount {
  domain: string;
  count: number;
}

/** Coder's session detail reads at most this many log rows (the earliest). */
export const CODER_NETWORK_LOG_CAP = 1000;

/** The largest int4: next_seq of an interception no later one follows. */
const OPEN_END = 2147483647;

const available = (caps: Capabilities) => caps.firewallColumns && caps.boundaryLogs;

/**
 * `own` and `win` CTEs: the windows of the listed sessions (each (firewall session, sequence)
 * once, so windows never overlap and no log row is read twice).
 */
function windows(viewer: Viewer, keys: readonly SessionKey[]): SqlFragment {
  return sql`own AS (
      SELECT DISTINCT i.session_id, i.initiator_id, i.agent_firewall_session_id AS fw, i.agent_firewall_sequence_number AS seq
        FROM aibridge_interceptions i ${joinSessionKeys(keys)}
       WHERE ${interceptionConditions(viewer, {})}
         AND i.agent_firewall_session_id IS NOT NULL AND i.agent_firewall_sequence_number IS NOT NULL
    ),
    win AS (
      SELECT o.session_id, o.initiator_id, o.fw, o.seq,
             COALESCE((SELECT n.agent_firewall_sequence_number FROM aibridge_interceptions n
                        WHERE n.agent_firewall_session_id = o.fw AND n.agent_firewall_sequence_number > o.seq
                        ORDER BY n.agent_firewall_sequence_number LIMIT 1), ${OPEN_END}) AS next_seq
        FROM own o
    )`;
}

/** The log rows inside a window `w`, as a join condition on boundary_logs `l`. */
const IN_WINDOW = sql`l.session_id = w.fw AND l.sequence_number > w.seq AND l.sequence_number < w.next_seq`;

/** The columns of a NetworkCallLog from boundary_logs `l`. */
const LOG_COLUMNS = sql`l.id, l.session_id AS "sessionId", l.sequence_number AS "sequenceNumber", l.matched_rule IS NOT NULL AS allowed,
           l.created_at AS "createdAt", l.proto, l.method, l.detail, l.matched_rule AS "matchedRule", l.captured_at AS "capturedAt"`;

/**
 * Log rows by id, in the order asked; null where absent or outside every window the viewer may
 * see. A row's owner is the interception of its firewall session with the largest sequence
 * number below the row's, when none sits between them or on the row's own number (the window
 * rule read backwards); the owner must be completed and visible. One statement.
 */
export async function networkCallLogsByIds(db: Queryable, caps: Capabilities, viewer: Viewer, ids: readonly string[]): Promise<(NetworkCallLog | null)[]> {
  if (!available(caps) || ids.length === 0) return ids.map(() => null);
  const rows = await db.query<NetworkCallLog>(named('networkCalls.logsByIds')`
    SELECT l.id, l.session_id AS "sessionId", l.sequence_number AS "sequenceNumber", l.matched_rule IS NOT NULL AS allowed,
           l.created_at AS "createdAt", l.proto, l.method, l.detail, l.matched_rule AS "matchedRule", l.captured_at AS "capturedAt"
      FROM boundary_logs l
      CROSS JOIN LATERAL (
        SELECT o.* FROM aibridge_interceptions o
         WHERE o.agent_firewall_session_id = l.session_id AND o.agent_firewall_sequence_number < l.sequence_number
         ORDER BY o.agent_firewall_sequence_number DESC LIMIT 1
      ) i
     WHERE l.id = ANY(${uuidsOnly(ids)}::uuid[]) AND l.sequence_number < ${OPEN_END} AND ${interceptionConditions(viewer, {})}
       AND NOT EXISTS (SELECT 1 FROM aibridge_interceptions n WHERE n.agent_firewall_session_id = l.session_id
                          AND n.agent_firewall_sequence_number = l.sequence_number)`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** {total, blocked} per session, in the order asked; null where the firewall saw none of it. One statement. */
export async function networkCallCounts(
  db: Queryable,
  caps: Capabilities,
  viewer: Viewer,
  keys: readonly SessionKey[],
): Promise<(NetworkCalls | null)[]> {
  if (!available(caps) || keys.length === 0) return keys.map(() => null);
  const rows = await db.query<SessionKey & { total: string; blocked: string }>(named('networkCalls.counts')`
    WITH ${windows(viewer, keys)}
    SELECT w.session_id AS "sessionId", w.initiator_id AS "initiatorId",
           count(l.sequence_number) AS total, count(l.sequence_number) FILTER (WHERE l.matched_rule IS NULL) AS blocked
      FROM win w LEFT JOIN boundary_logs l ON ${IN_WINDOW}
     GROUP BY w.session_id, w.initiator_id`);
  const byKey = new Map(rows.map((r) => [sessionGroupKey(r), { total: Number(r.total), blocked: Number(r.blocked) }]));
  return keys.map((k) => byKey.get(sessionGroupKey(k)) ?? null);
}

/**
 * A keyset page of one session's network call log rows, ordered (created_at, sequence_number,
 * id); null where the firewall saw none of the session.
 */
export async function networkCallLogs(
  db: Queryable,
  caps: Capabilities,
  viewer: Viewer,
  key: SessionKey,
  page: KeysetPage<NetworkCallCursor>,
): Promise<PageResult<NetworkCallLog>> {
  if (!available(caps)) return { rows: [], hasMore: false };
  const position = sql`(l.created_at, l.sequence_number, l.id)`;
  const at = (c: NetworkCallCursor) => sql`(${c.createdAt}::timestamptz, ${c.sequenceNumber}::int, ${c.id}::uuid)`;
  const where: SqlFragment[] = [IN_WINDOW];
  if (page.after) where.push(sql`${position} > ${at(page.after)}`);
  if (page.before) where.push(sql`${position} < ${at(page.before)}`);
  const order = page.fromEnd ? sql`l.created_at DESC, l.sequence_number DESC, l.id DESC` : sql`l.created_at, l.sequence_number, l.id`;
  const rows = await db.query<NetworkCallLog>(named('networkCalls.logs')`
    WITH ${windows(viewer, [key])}
    SELECT ${LOG_COLUMNS}
      FROM win w JOIN boundary_logs l ON ${sql.join(where, sql` AND `)}
     ORDER BY ${order} LIMIT ${page.limit + 1}`);
  return keysetResult(rows, page);
}

/**
 * The first (or, fromEnd, the last) `limit` log rows of each session, in log order: ONE statement
 * for a whole list of sessions (GraphQL `sessions { networkCallLogs }` without cursors sent one
 * per session). Cursor pages of a single session use networkCallLogs.
 */
export async function firstNetworkCallLogPages(
  db: Queryable,
  caps: Capabilities,
  viewer: Viewer,
  keys: readonly SessionKey[],
  page: { limit: number; fromEnd?: boolean },
): Promise<PageResult<NetworkCallLog>[]> {
  if (!available(caps) || keys.length === 0) return keys.map(() => ({ rows: [], hasMore: false }));
  const order = page.fromEnd ? sql`l.created_at DESC, l.sequence_number DESC, l.id DESC` : sql`l.created_at, l.sequence_number, l.id`;
  const rows = await db.query<NetworkCallLog & { key: string; n: string }>(named('networkCalls.firstPagesOfSessions')`
    WITH ${windows(viewer, keys)}
    SELECT * FROM (
      SELECT w.initiator_id::text || ' ' || w.session_id AS key, ${LOG_COLUMNS},
             row_number() OVER (PARTITION BY w.session_id, w.initiator_id ORDER BY ${order}) AS n
        FROM win w JOIN boundary_logs l ON ${IN_WINDOW}
    ) x WHERE n <= ${page.limit + 1} ORDER BY n`);
  const perSession = new Map<string, NetworkCallLog[]>(keys.map((k) => [sessionGroupKey(k), []]));
  for (const { key, n: _n, ...log } of rows) perSession.get(key)?.push(log);
  return keys.map((k) => keysetResult(perSession.get(sessionGroupKey(k))!, page));
}

/**
 * The host of an http event's `detail` (a URL), as Coder takes it: an optional `scheme://`
 * stripped, then everything up to the first `/ : ? #`.
 */
const HOST = sql`substring(CASE WHEN strpos(l.detail, '://') > 0 THEN substr(l.detail, strpos(l.detail, '://') + 3) ELSE l.detail END FROM '^[^/:?#]*')`;

/**
 * Each session's most requested domains (http events only, empty hosts dropped), by count desc
 * then domain asc (byte order), at most `limit`, and its number of distinct domains, in the
 * order asked. One statement for any number of sessions.
 */
export async function topDomainsOf(
  db: Queryable,
  caps: Capabilities,
  viewer: Viewer,
  keys: readonly SessionKey[],
  limit: number,
): Promise<{ domains: DomainCount[]; domainCount: number }[]> {
  if (!available(caps) || keys.length === 0) return keys.map(() => ({ domains: [], domainCount: 0 }));
  const rows = await db.query<SessionKey & { domain: string; n: string; r: string; domains: string }>(named('networkCalls.topDomains')`
    WITH ${windows(viewer, keys)},
    hosts AS (
      SELECT w.session_id, w.initiator_id, ${HOST} AS domain FROM win w JOIN boundary_logs l ON ${IN_WINDOW} WHERE lower(l.proto) = 'http'
    ),
    counted AS (SELECT session_id, initiator_id, domain, count(*) AS n FROM hosts WHERE domain <> '' GROUP BY session_id, initiator_id, domain),
    ranked AS (
      SELECT *, row_number() OVER (PARTITION BY session_id, initiator_id ORDER BY n DESC, domain COLLATE "C") AS r,
             count(*) OVER (PARTITION BY session_id, initiator_id) AS domains
        FROM counted
    )
    -- The first row of each session is read even for limit 0: it carries the distinct count.
    SELECT session_id AS "sessionId", initiator_id AS "initiatorId", domain, n, r, domains
      FROM ranked WHERE r <= ${Math.max(limit, 1)} ORDER BY r`);
  const out = new Map(keys.map((k) => [sessionGroupKey(k), { domains: [] as DomainCount[], domainCount: 0 }]));
  for (const r of rows) {
    const entry = out.get(sessionGroupKey(r));
    if (!entry) continue;
    entry.domainCount = Number(r.domains);
    if (Number(r.r) <= limit) entry.domains.push({ domain: r.domain, count: Number(r.n) });
  }
  return keys.map((k) => out.get(sessionGroupKey(k))!);
}

/** Everything REST's session detail shows of the firewall: counts, the earliest log rows, the top domains. */
export interface SessionNetworkCalls {
  calls: NetworkCalls;
  logs: NetworkCallLog[];
  domains: DomainCount[];
  domainCount: number;
}

/**
 * One session's counts (networkCallCounts), its first `logLimit` log rows in log order
 * (networkCallLogs) and its `topDomains` most requested domains with the number of distinct ones
 * (topDomainsOf), in ONE statement over the same windows: REST's session detail sent three (issue
 * 13). The rows come as JSON arrays beside the counts, timestamps cast to the text PostgreSQL
 * sends for a column. null where the firewall saw none of the session (or the database has no
 * firewall data), like networkCallCounts.
 */
export async function networkCallsOfSession(
  db: Queryable,
  caps: Capabilities,
  viewer: Viewer,
  key: SessionKey,
  o: { logLimit: number; topDomains: number },
): Promise<SessionNetworkCalls | null> {
  if (!available(caps)) return null;
  const [row] = await db.query<{ seen: boolean; total: string; blocked: string; logs: NetworkCallLog[] | null; domains: DomainCount[] | null; domainCount: string }>(named('networkCalls.ofSession')`
    WITH ${windows(viewer, [key])},
    logs AS (
      SELECT l.* FROM win w JOIN boundary_logs l ON ${IN_WINDOW}
       ORDER BY l.created_at, l.sequence_number, l.id LIMIT ${o.logLimit}
    ),
    counted AS (
      SELECT domain, count(*) AS n FROM (
        SELECT ${HOST} AS domain FROM win w JOIN boundary_logs l ON ${IN_WINDOW} WHERE lower(l.proto) = 'http'
      ) h WHERE domain <> '' GROUP BY domain
    )
    SELECT EXISTS (SELECT 1 FROM win) AS seen, c.total, c.blocked,
           (SELECT json_agg(json_build_object(
                     'id', l.id, 'sessionId', l.session_id, 'sequenceNumber', l.sequence_number, 'allowed', l.matched_rule IS NOT NULL,
                     'createdAt', l.created_at::text, 'proto', l.proto, 'method', l.method, 'detail', l.detail,
                     'matchedRule', l.matched_rule, 'capturedAt', l.captured_at::text)
                   ORDER BY l.created_at, l.sequence_number, l.id) FROM logs l) AS logs,
           (SELECT json_agg(json_build_object('domain', d.domain, 'count', d.n) ORDER BY d.n DESC, d.domain COLLATE "C")
              FROM (SELECT * FROM counted ORDER BY n DESC, domain COLLATE "C" LIMIT ${o.topDomains}) d) AS domains,
           (SELECT count(*) FROM counted) AS "domainCount"
      FROM (
        SELECT count(l.sequence_number) AS total, count(l.sequence_number) FILTER (WHERE l.matched_rule IS NULL) AS blocked
          FROM win w LEFT JOIN boundary_logs l ON ${IN_WINDOW}
      ) c`);
  if (!row?.seen) return null;
  return {
    calls: { total: Number(row.total), blocked: Number(row.blocked) },
    logs: row.logs ?? [],
    domains: row.domains ?? [],
    domainCount: Number(row.domainCount),
  };
}
