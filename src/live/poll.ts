import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { interceptionColumns, type InterceptionRow } from '../domain/interceptions.ts';

/**
 * The poller's position in the (ended_at, id) order: every row at or below it has been read.
 * `endedAt` is PostgreSQL's UTC text, which compares correctly as a string (src/domain/values.ts).
 */
export interface Watermark {
  endedAt: string;
  id: string;
}

export const compareKeys = (a: Watermark, b: Watermark): number =>
  a.endedAt < b.endedAt ? -1 : a.endedAt > b.endedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * How far below the watermark a poll looks again for rows that became visible late: AI Bridge
 * stamps ended_at with coderd's clock before its UPDATE commits, so a row can commit after a
 * newer one was read (replicas of coderd a little out of step, a slow commit). Rows already read
 * in this window are excluded by id, so each is delivered once; a row that becomes visible more
 * than this late is not delivered live (queries still return it). Ten seconds covers clocks kept
 * by NTP (milliseconds apart) and a commit delayed by a busy database many times over; the cost is
 * re-reading the window's rows, minus those already read, once per poll.
 */
export const LATE_WINDOW_MS = 10_000;

/**
 * Coder has no index on ended_at, only on started_at (idx_aibridge_interceptions_started_id_desc),
 * so the poll bounds started_at too, which keeps it an index range scan over the last hour's rows
 * instead of a scan of the whole table. An interception that lasts longer than this (one LLM
 * request: seconds to minutes) is not delivered live.
 */
export const LONGEST_INTERCEPTION_MS = 3_600_000;

/** Rows read per statement; a full batch is followed at once by the next one. */
export const POLL_BATCH = 500;

/** A completed row and, per condition asked, whether that condition holds for it. */
export interface PolledRow {
  row: InterceptionRow;
  matches: boolean[];
}

/** The database clock as a watermark no existing row is above (ids sort below the maximum UUID). */
export async function startingWatermark(db: Queryable): Promise<Watermark> {
  const [r] = await db.query<{ now: string }>(named('live.clock')`SELECT now() AS now`);
  return { endedAt: r.now, id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };
}

/**
 * One statement for every subscriber: the completed interceptions above the watermark (or in the
 * late window below it, not yet read) that satisfy at least one of `conditions`, in (ended_at, id)
 * order, each with the conditions it satisfies. The conditions are the API's own
 * (interceptionConditions: visibility and filter), so a row nobody may see is never read.
 */
export async function pollEnded(
  db: Queryable,
  watermark: Watermark,
  read: readonly string[],
  conditions: readonly SqlFragment[],
  lateWindowMs = LATE_WINDOW_MS,
): Promise<PolledRow[]> {
  const lower = sql`${watermark.endedAt}::timestamptz - ${`${lateWindowMs} milliseconds`}::interval`;
  // The conditions are evaluated on the window's rows only, not offered to the planner as an OR
  // of index paths: over 1M interceptions with 200 members' conditions, that OR (a BitmapOr of 200
  // index scans) made a poll take 83 ms (median round trip), this form 17 ms, of which 0.4 ms
  // executing the window's index range scan (one run on a loaded machine: ratios, not figures).
  const rows = await db.query<InterceptionRow & { matches: boolean[] }>(named('live.interceptionsEnded')`
    SELECT * FROM (
      SELECT ${interceptionColumns()}, ARRAY[${sql.join(conditions.map((c) => sql`(${c})`), sql`, `)}] AS matches
        FROM aibridge_interceptions i
       WHERE i.started_at >= ${lower} - ${`${LONGEST_INTERCEPTION_MS} milliseconds`}::interval
         AND i.ended_at >= ${lower}
         AND i.id <> ALL(${read}::uuid[])
    ) w
     WHERE TRUE = ANY(w.matches)
     ORDER BY w."endedAt", w.id
     LIMIT ${POLL_BATCH}`);
  return rows.map(({ matches, ...row }) => ({ row, matches: matches.map((m) => m === true || (m as unknown) === 't') }));
}
