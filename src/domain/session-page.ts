import { sql, type SqlFragment } from '../db/sql.ts';
import type { KeysetPage } from './paging.ts';
import { cursorTuple, ORDER_DESC, POSITION, statsCtes, type SessionCursor } from './session-stats.ts';

/**
 * The forward sessions page (newest first, optionally after a cursor) without grouping every
 * matching interception (SPEC §7: that costs seconds at 1M rows).
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

/** One window: how many of the newest matching prompts to read, and how many sessions bound the page. */
export interface SessionPageWindow {
  prompts: (need: number) => number;
  sessions: (need: number) => number;
}

/**
 * At 1M interceptions the newest 500 prompts cover ~140 sessions (3.5 per session). Sessions
 * already listed before a cursor but still active just below it are seen in the window and then
 * skipped (about 30 at a time in the benchmark data), hence the constant terms; the second
 * window covers denser interleaving.
 */
export const DEFAULT_SESSION_PAGE_WINDOWS: readonly SessionPageWindow[] = Object.freeze([
  { prompts: (n: number) => 8 * n + 200, sessions: (n: number) => 2 * n + 40 },
  { prompts: (n: number) => 64 * n + 2000, sessions: (n: number) => 8 * n + 400 },
]);

/**
 * `WITH … s AS (…)` yielding the forward page's candidate rows with a `via` column naming the
 * way they were found (`window 1`, `window 2`, …, `full`).
 */
export function forwardPage(conds: SqlFragment, page: KeysetPage<SessionCursor>, windows: readonly SessionPageWindow[]): SqlFragment {
  const need = (page.offset ?? 0) + page.limit + 1;
  const upper = page.after ? sql`${page.after.lastActiveAt}::timestamptz` : sql`'infinity'::timestamptz`;
  const cursor = page.after ? sql`AND ${POSITION} < (${cursorTuple(page.after)})` : sql.empty;
  const ctes: SqlFragment[] = [];
  const oks: SqlFragment[] = [];
  windows.forEach((w, n) => {
    const x = `w${n + 1}_`;
    const [np, seen, t, cand, fast, ok] = [`${x}np`, `${x}seen`, `${x}t`, `${x}cand`, `${x}fast`, `${x}ok`].map(sql.ident);
    const prompts = w.prompts(need);
    const sessions = w.sessions(need);
    // A later window runs only when no earlier one found the page.
    const gate = oks.length ? sql`AND NOT (${sql.join(oks, sql` OR `)})` : sql.empty;
    ctes.push(sql`${np} AS (
      SELECT pr.created_at AS at, i.session_id, i.initiator_id
        FROM aibridge_user_prompts pr JOIN aibridge_interceptions i ON i.id = pr.interception_id
       WHERE ${conds} AND pr.created_at <= ${upper} ${gate}
       ORDER BY pr.created_at DESC LIMIT ${prompts}
    ),
    ${seen} AS (SELECT session_id, initiator_id, max(at) AS at FROM ${np} GROUP BY session_id, initiator_id),
    ${t} AS (
      SELECT CASE
        WHEN (SELECT count(*) FROM ${seen}) >= ${sessions} THEN (SELECT at FROM ${seen} ORDER BY at DESC OFFSET ${sessions - 1} LIMIT 1)
        WHEN (SELECT count(*) FROM ${np}) >= ${prompts} THEN (SELECT min(at) FROM ${np})
      END AS at -- NULL: every prompt up to the cursor fits in the window, which bounds nothing
    ),
    ${cand} AS (
      SELECT session_id, initiator_id FROM ${seen} WHERE at > (SELECT at FROM ${t})
      UNION
      SELECT i.session_id, i.initiator_id FROM aibridge_interceptions i
       WHERE ${conds} AND i.started_at <= ${upper} AND i.started_at > (SELECT at FROM ${t})
    ),
    ${statsCtes(`${x}c_`, conds, sql`${cand} k`)},
    ${fast} AS (
      SELECT * FROM ${sql.ident(`${x}c_s`)} WHERE last_active_at > (SELECT at FROM ${t}) ${cursor} ORDER BY ${ORDER_DESC} LIMIT ${need}
    ),
    ${ok} AS (SELECT count(*) >= ${need} AS ok FROM ${fast})`);
    oks.push(sql`(SELECT ok FROM ${ok})`);
  });
  const found = oks.length ? sql`(${sql.join(oks, sql` OR `)})` : sql`FALSE`;
  // Each branch's condition names the earlier windows first: AND stops at the first false, so a
  // later window's statements (and their parallel workers) never start once one has found the page.
  const branches = windows.map((_, n) => {
    const earlier = oks.slice(0, n).map((ok) => sql`NOT ${ok} AND `);
    return sql`SELECT *, ${`window ${n + 1}`}::text AS via FROM ${sql.ident(`w${n + 1}_fast`)} WHERE ${sql.join(earlier, sql.empty)}${oks[n]}
      UNION ALL
      `;
  });
  return sql`WITH ${sql.join(
    ctes.map((c) => sql`${c},\n`),
    sql.empty,
  )}
    ${statsCtes('a_', sql`${conds} AND NOT ${found}`)},
    s AS (
      ${sql.join(branches, sql.empty)}SELECT *, 'full' AS via FROM a_s WHERE NOT ${found} ${cursor}
    )`;
}
