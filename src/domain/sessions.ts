import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { Params } from '../db/params.ts';
import { interceptionConditions, isUuid, keysetResult, type InterceptionFilter, type KeysetPage, type PageResult } from './interceptions.ts';
import { tokenTotalsBySource, type TokenTotals } from './token-totals.ts';

/**
 * Sessions: the interceptions sharing (session_id, initiator_id). Defined once here for REST
 * (`/sessions`, `/sessions/{id}`) and GraphQL (`Session`).
 *
 * Two kinds of aggregate (SPEC §4):
 * - from the rows matching the list filter: startedAt, endedAt, threadCount, lastActiveAt;
 * - from every row of the group (filter ignored, visibility and in-flight rule kept): providers,
 *   models, client, metadata, lastPrompt, tokenUsage.
 * A lookup by key has no filter, so both kinds cover the whole group there.
 *
 * Lists paginate first (a narrow grouped statement, ordered and limited) and enrich only the
 * page afterwards, so the number of statements is the same for any page size.
 */

export interface SessionKey {
  sessionId: string;
  initiatorId: string;
}

/** What a whole-group read includes; completed interceptions only unless includeInFlight. */
export interface SessionScope {
  includeInFlight?: boolean;
}

/** A position in the list order (lastActiveAt DESC, sessionId DESC, initiatorId DESC). */
export interface SessionCursor extends SessionKey {
  lastActiveAt: string;
}

export interface SessionRow extends SessionKey {
  /** Earliest started_at of the filtered rows (PostgreSQL timestamp text, see values.ts). */
  startedAt: string;
  /** Latest ended_at of the filtered rows; null when none has ended. */
  endedAt: string | null;
  /** Filtered rows that are thread roots (thread_root_id IS NULL). */
  threadCount: number;
  /** Newest prompt created_at of the filtered rows, else their earliest started_at. */
  lastActiveAt: string;
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

/** The list cursor of a row (for GraphQL edges; REST resolves `after_session_id` instead). */
export function sessionCursorOf(s: SessionRow): SessionCursor {
  return { lastActiveAt: s.lastActiveAt, sessionId: s.sessionId, initiatorId: s.initiatorId };
}

/** The group key as one string (initiator UUID first: fixed length, so unambiguous). */
export function sessionGroupKey(k: SessionKey): string {
  return `${k.initiatorId} ${k.sessionId}`;
}

const ORDER_DESC = `last_active_at DESC, session_id COLLATE "C" DESC, initiator_id DESC`;
const ORDER_ASC = `last_active_at ASC, session_id COLLATE "C" ASC, initiator_id ASC`;
const POSITION = `(last_active_at, session_id COLLATE "C", initiator_id)`;

interface StatsRow extends SessionKey {
  startedAt: string;
  endedAt: string | null;
  threadCount: number;
  lastActiveAt: string;
}

/**
 * The filtered aggregates per group, as SQL selecting from `s`. `restrict` limits the groups to
 * the given keys.
 */
function groupedStatsSql(viewer: Viewer, filter: InterceptionFilter, p: Params, restrict?: readonly SessionKey[]): string {
  const keys = restrict
    ? `unnest(${p.add(restrict.map((k) => k.sessionId))}::text[], ${p.add(restrict.map((k) => k.initiatorId))}::uuid[]) AS k(session_id, initiator_id)`
    : undefined;
  return `WITH ${statsCtes('', interceptionConditions(viewer, filter, p), keys)}`;
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
function statsCtes(prefix: string, conds: string, keys?: string): string {
  const [f, g, lp] = [`${prefix}f`, `${prefix}g`, `${prefix}lp`];
  const columns = 'i.id, i.session_id, i.initiator_id, i.started_at, i.ended_at, i.thread_root_id';
  const rows = keys
    ? `SELECT ${columns} FROM ${keys} CROSS JOIN LATERAL (
         SELECT * FROM aibridge_interceptions i WHERE i.session_id = k.session_id AND i.initiator_id = k.initiator_id AND ${conds}
         OFFSET 0 -- keeps the subquery per group (not flattened into a hash join over every row)
       ) i`
    : `SELECT ${columns} FROM aibridge_interceptions i WHERE ${conds}`;
  const newestPrompts = keys
    ? `SELECT x.session_id, x.initiator_id, max(pr.at) AS at
         FROM ${f} x CROSS JOIN LATERAL (
           SELECT pr.created_at AS at FROM aibridge_user_prompts pr WHERE pr.interception_id = x.id ORDER BY pr.created_at DESC LIMIT 1
         ) pr
        GROUP BY x.session_id, x.initiator_id`
    : `SELECT x.session_id, x.initiator_id, max(pr.created_at) AS at
         FROM ${f} x JOIN aibridge_user_prompts pr ON pr.interception_id = x.id
        GROUP BY x.session_id, x.initiator_id`;
  return `${f} AS MATERIALIZED (${rows}),
    ${g} AS (
      SELECT session_id, initiator_id, min(started_at) AS started_at, max(ended_at) AS ended_at,
             count(*) FILTER (WHERE thread_root_id IS NULL) AS threads
        FROM ${f} GROUP BY session_id, initiator_id
    ),
    ${lp} AS (${newestPrompts}),
    ${prefix}s AS (
      SELECT g.session_id, g.initiator_id, g.started_at, g.ended_at, g.threads, COALESCE(lp.at, g.started_at) AS last_active_at
        FROM ${g} g LEFT JOIN ${lp} lp ON lp.session_id = g.session_id AND lp.initiator_id = g.initiator_id
    )`;
}

/**
 * Prompt windows tried in turn by the forward page, for `need` rows: how many of the newest
 * matching prompts to read, and how many distinct sessions among them bound the page. At 1M
 * interceptions the newest 500 prompts cover ~140 sessions (3.5 per session). Sessions already
 * listed before a cursor but still active just below it are seen in the window and then skipped
 * (about 30 at a time in the benchmark data), hence the constant terms; the second window
 * covers denser interleaving. Tests may change them.
 */
export const sessionPageWindows: { prompts: (need: number) => number; sessions: (need: number) => number }[] = [
  { prompts: (n) => 8 * n + 200, sessions: (n) => 2 * n + 40 },
  { prompts: (n) => 64 * n + 2000, sessions: (n) => 8 * n + 400 },
];

/** Which way the last forward sessions page was found (tests check that every way is taken). */
export const sessionPageProbe: { onPath?: (path: string) => void } = {};

/**
 * The forward page (newest first, optionally after a cursor) without grouping every matching
 * interception (SPEC §7: that costs seconds at 1M rows).
 *
 * A window reads the N newest matching prompts at or before the cursor's time (`upper`) and
 * takes, per session, its newest prompt there. T = the time of the K-th session in that order
 * (or of the N-th prompt when fewer sessions show up). Every prompt in (T, upper] is in the
 * window, so every session active in (T, upper] is a candidate: it has a prompt there (then it
 * is among the window's sessions) or, having no matching prompt, its earliest matching start
 * lies there (then an interception started there, which the second half of the candidates
 * reads). The candidates' exact aggregates are computed; if at least `need` of them are past
 * the cursor and active after T, they are exactly the head of the list. Otherwise the next,
 * larger window is tried, and then grouping of every matching row. All of it is one statement:
 * each later step is gated on the earlier ones (PostgreSQL evaluates such conditions once and
 * skips the gated scans), so the statement count does not depend on the data or page size.
 */
function forwardPageSql(conds: string, p: Params, page: KeysetPage<SessionCursor>): string {
  const need = (page.offset ?? 0) + page.limit + 1;
  const upper = page.after ? `${p.add(page.after.lastActiveAt)}::timestamptz` : `'infinity'::timestamptz`;
  const cursor = page.after ? `AND ${POSITION} < (${cursorTuple(page.after, p)})` : '';
  // Bound only when a window uses it (PostgreSQL rejects a parameter no expression mentions).
  const needParam = sessionPageWindows.length ? p.add(need) : '';
  const ctes: string[] = [];
  const oks: string[] = [];
  sessionPageWindows.forEach((w, n) => {
    const x = `w${n + 1}_`;
    const prompts = p.add(w.prompts(need));
    const sessions = w.sessions(need);
    // A later window runs only when no earlier one found the page.
    const gate = oks.length ? `AND NOT (${oks.join(' OR ')})` : '';
    ctes.push(`${x}np AS (
      SELECT pr.created_at AS at, i.session_id, i.initiator_id
        FROM aibridge_user_prompts pr JOIN aibridge_interceptions i ON i.id = pr.interception_id
       WHERE ${conds} AND pr.created_at <= ${upper} ${gate}
       ORDER BY pr.created_at DESC LIMIT ${prompts}
    ),
    ${x}seen AS (SELECT session_id, initiator_id, max(at) AS at FROM ${x}np GROUP BY session_id, initiator_id),
    ${x}t AS (
      SELECT CASE
        WHEN (SELECT count(*) FROM ${x}seen) >= ${p.add(sessions)} THEN (SELECT at FROM ${x}seen ORDER BY at DESC OFFSET ${p.add(sessions - 1)} LIMIT 1)
        WHEN (SELECT count(*) FROM ${x}np) >= ${prompts} THEN (SELECT min(at) FROM ${x}np)
      END AS at -- NULL: every prompt up to the cursor fits in the window, which bounds nothing
    ),
    ${x}cand AS (
      SELECT session_id, initiator_id FROM ${x}seen WHERE at > (SELECT at FROM ${x}t)
      UNION
      SELECT i.session_id, i.initiator_id FROM aibridge_interceptions i
       WHERE ${conds} AND i.started_at <= ${upper} AND i.started_at > (SELECT at FROM ${x}t)
    ),
    ${statsCtes(`${x}c_`, conds, `${x}cand k`)},
    ${x}fast AS (
      SELECT * FROM ${x}c_s WHERE last_active_at > (SELECT at FROM ${x}t) ${cursor} ORDER BY ${ORDER_DESC} LIMIT ${needParam}
    ),
    ${x}ok AS (SELECT count(*) >= ${needParam} AS ok FROM ${x}fast)`);
    oks.push(`(SELECT ok FROM ${x}ok)`);
  });
  const found = oks.length ? `(${oks.join(' OR ')})` : 'FALSE';
  // Each branch's condition names the earlier windows first: AND stops at the first false, so a
  // later window's statements (and their parallel workers) never start once one has found the page.
  const branches = sessionPageWindows.map((_, n) => {
    const earlier = oks.slice(0, n).map((ok) => `NOT ${ok} AND `).join('');
    return `SELECT *, 'window ${n + 1}' AS via FROM w${n + 1}_fast WHERE ${earlier}(SELECT ok FROM w${n + 1}_ok)`;
  });
  return `WITH ${ctes.map((c) => `${c},\n`).join('')}
    ${statsCtes('a_', `${conds} AND NOT ${found}`)},
    s AS (
      ${branches.map((b) => `${b}\n      UNION ALL\n      `).join('')}SELECT *, 'full' AS via FROM a_s WHERE NOT ${found} ${cursor}
    )`;
}

const STATS_COLUMNS = `session_id AS "sessionId", initiator_id AS "initiatorId", started_at AS "startedAt", ended_at AS "endedAt",
  threads::int AS "threadCount", last_active_at AS "lastActiveAt"`;

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
): Promise<PageResult<SessionRow>> {
  const p = new Params();
  const reverse = Boolean(page.fromEnd);
  const forward = !reverse && !page.before;
  const where: string[] = [];
  let cte: string;
  if (forward) {
    cte = forwardPageSql(interceptionConditions(viewer, filter, p), p, page);
  } else {
    cte = groupedStatsSql(viewer, filter, p);
    if (page.after) where.push(`${POSITION} < (${cursorTuple(page.after, p)})`);
    if (page.before) where.push(`${POSITION} > (${cursorTuple(page.before, p)})`);
  }
  const rows = await db.query<StatsRow & { via?: string }>(
    `${cte} SELECT ${STATS_COLUMNS}${forward ? ', via' : ''} FROM s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${reverse ? ORDER_ASC : ORDER_DESC} LIMIT ${p.add(page.limit + 1)} OFFSET ${p.add(page.offset ?? 0)}`,
    p.values,
  );
  if (forward) sessionPageProbe.onPath?.(rows[0]?.via ?? 'empty');
  for (const r of rows) delete r.via;
  const { rows: kept, hasMore } = keysetResult(rows, page);
  return { rows: await enrich(db, viewer, kept, { includeInFlight: filter.includeInFlight }), hasMore };
}

function cursorTuple(c: SessionCursor, p: Params): string {
  return `${p.add(c.lastActiveAt)}::timestamptz, ${p.add(c.sessionId)}::text COLLATE "C", ${p.add(c.initiatorId)}::uuid`;
}

/** Number of sessions matching the filter (groups of matching rows); ignores paging. */
export async function countSessions(db: Queryable, viewer: Viewer, filter: InterceptionFilter): Promise<number> {
  const p = new Params();
  const [row] = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM (
       SELECT 1 FROM aibridge_interceptions i WHERE ${interceptionConditions(viewer, filter, p)} GROUP BY i.session_id, i.initiator_id
     ) g`,
    p.values,
  );
  return Number(row!.n);
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
  const p = new Params();
  const cte = groupedStatsSql(viewer, { ...filter, sessionId }, p);
  const [row] = await db.query<StatsRow>(`${cte} SELECT ${STATS_COLUMNS} FROM s ORDER BY ${ORDER_DESC} LIMIT 1`, p.values);
  return row ? { lastActiveAt: row.lastActiveAt, sessionId: row.sessionId, initiatorId: row.initiatorId } : null;
}

/**
 * Resolves a session id, or the UUID of ANY interception of a session (a deliberate
 * improvement over Coder, which resolves only root UUIDs), to the session's key; null when
 * the viewer may see no such session. An interception UUID wins over an equal session id;
 * a session id shared by several initiators resolves to the most recently started group.
 */
export async function findSession(db: Queryable, viewer: Viewer, idOrUuid: string, scope: SessionScope = {}): Promise<SessionKey | null> {
  const p = new Params();
  const conds = interceptionConditions(viewer, { includeInFlight: scope.includeInFlight }, p);
  // Not a UUID: no interception has that id. Not the literal FALSE: it is also an ORDER BY key
  // below, and PostgreSQL rejects a constant there ("non-integer constant in ORDER BY").
  const byId = isUuid(idOrUuid) ? `i.id = ${p.add(idOrUuid.toLowerCase())}::uuid` : 'i.id IS NULL';
  const [row] = await db.query<SessionKey>(
    `SELECT i.session_id AS "sessionId", i.initiator_id AS "initiatorId" FROM aibridge_interceptions i
      WHERE (${byId} OR i.session_id = ${p.add(idOrUuid)}) AND ${conds}
      ORDER BY (${byId}) DESC, i.started_at DESC, i.id DESC LIMIT 1`,
    p.values,
  );
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
  const p = new Params();
  const cte = groupedStatsSql(viewer, { includeInFlight: scope.includeInFlight }, p, keys);
  const stats = await db.query<StatsRow>(`${cte} SELECT ${STATS_COLUMNS} FROM s`, p.values);
  const rows = await enrich(db, viewer, stats, scope);
  const byKey = new Map(rows.map((r) => [sessionGroupKey(r), r]));
  return keys.map((k) => byKey.get(sessionGroupKey(k)) ?? null);
}

interface GroupRow extends SessionKey {
  providers: string[];
  models: string[];
  client: string | null;
  metadata: unknown;
  lastPrompt: string | null;
}

/** Adds the whole-group aggregates to a page of groups: two statements for any page size. */
async function enrich(db: Queryable, viewer: Viewer, stats: StatsRow[], scope: SessionScope): Promise<SessionRow[]> {
  const p = new Params();
  const members = groupMembersSql(viewer, stats, scope, p);
  const groupRows = await db.query<GroupRow>(
    `WITH r AS (${members})
     SELECT r.session_id AS "sessionId", r.initiator_id AS "initiatorId",
            array_agg(DISTINCT r.provider COLLATE "C" ORDER BY r.provider COLLATE "C") AS providers,
            array_agg(DISTINCT r.model COLLATE "C" ORDER BY r.model COLLATE "C") AS models,
            (array_agg(r.client ORDER BY r.started_at, r.id))[1] AS client,
            (array_agg(r.metadata ORDER BY r.started_at, r.id))[1] AS metadata,
            (SELECT pr.prompt FROM aibridge_user_prompts pr
              WHERE pr.interception_id = ANY (array_agg(r.id))
              ORDER BY pr.created_at DESC, pr.id DESC LIMIT 1) AS "lastPrompt"
       FROM r GROUP BY r.session_id, r.initiator_id`,
    p.values,
  );
  const tp = new Params();
  const tokenSource = `SELECT r.initiator_id::text || ' ' || r.session_id AS grp, r.id AS interception_id FROM (${groupMembersSql(viewer, stats, scope, tp)}) r`;
  const totals = await tokenTotalsBySource(db, tokenSource, tp.values, stats.map(sessionGroupKey));
  const byKey = new Map(groupRows.map((g) => [sessionGroupKey(g), g]));
  return stats.map((s) => {
    const g = byKey.get(sessionGroupKey(s));
    return {
      ...s,
      providers: g?.providers ?? [],
      models: g?.models ?? [],
      client: g?.client ?? null,
      metadata: g?.metadata ?? null,
      lastPrompt: g?.lastPrompt ?? null,
      tokenUsage: totals.get(sessionGroupKey(s))!,
    };
  });
}

/** SQL for every visible interception of the given groups (the filter deliberately ignored). */
function groupMembersSql(viewer: Viewer, keys: readonly SessionKey[], scope: SessionScope, p: Params): string {
  return `SELECT i.* FROM aibridge_interceptions i
    JOIN unnest(${p.add(keys.map((k) => k.sessionId))}::text[], ${p.add(keys.map((k) => k.initiatorId))}::uuid[]) AS k(session_id, initiator_id)
      ON i.session_id = k.session_id AND i.initiator_id = k.initiator_id
   WHERE ${interceptionConditions(viewer, { includeInFlight: scope.includeInFlight }, p)}`;
}
