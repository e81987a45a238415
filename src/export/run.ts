import type { Queryable, Row } from '../db/db.ts';
import { named, type SqlFragment } from '../db/sql.ts';
import { ExportAborted, type ExportSink, writeLines } from './stream.ts';

/**
 * Rows per batch: one FETCH (PostgreSQL) or one keyset page (PGlite), rendered and written
 * before the next is read. The FETCH statement spells it out: a cursor's count cannot be a
 * parameter. Exporting 356k interceptions of the bench database in-process, the process's RSS
 * grew 222 MiB with batches of 1000, 126 MiB with 250 and 100 MiB with 100, at 10.4k, 9.8k and
 * 8.7k rows/s: the live batches (two: one fetched ahead) and their garbage set V8's heap size.
 */
export const EXPORT_BATCH = 250;

/** How one kind of export reads its rows and writes them. */
export interface ExportPlan<Raw extends Row, Final> {
  /** PostgreSQL: the whole ordered SELECT, read through one cursor in one snapshot. */
  select: SqlFragment;
  /** PostgreSQL: a fetched batch → the rows to render (e.g. sessions' enrichment), in the same snapshot. */
  complete(q: Queryable, rows: Raw[]): Promise<Final[]>;
  /** PGlite: the next `limit` rows after `last` in the same order (keyset), ready to render. */
  pageAfter(db: Queryable, last: Final | undefined, limit: number): Promise<Final[]>;
  /** A batch's lines (NDJSON lines or CSV rows, each with its line end). */
  render(q: Queryable, rows: Final[]): Promise<string[]>;
}

export interface ExportHooks {
  /** Called once, when the first batch is ready (or the export is empty): nothing failed before it. */
  onStart?: () => void | Promise<void>;
  /** Rows written so far. */
  onRows?: (written: number) => void;
}

/** Whether the database is the embedded PGlite (one connection) rather than a PostgreSQL server. */
export async function isEmbedded(db: Queryable): Promise<boolean> {
  const [row] = await db.query<{ embedded: boolean }>(named('export.engine')`SELECT strpos(version(), 'PGlite') > 0 AS embedded`);
  return row.embedded;
}

/**
 * Streams every row of `plan` into `sink`; returns the number of rows written.
 *
 * PostgreSQL: one REPEATABLE READ, READ ONLY snapshot (Queryable.snapshot) holding a server-side
 * cursor (DECLARE … CURSOR / FETCH), so the export is one consistent state however long it runs
 * while AI Bridge writes, and the server holds no more than a batch in flight. When the sink is
 * aborted (the client went away) while a statement runs, that statement is cancelled
 * (pg_cancel_backend, matched on the backend's pid and start time so that it can only reach
 * this connection), and the snapshot ends at once (ROLLBACK), returning the connection to the pool.
 *
 * PGlite: it has a single connection, and a transaction holds it: a snapshot as long as the
 * export would stop every other request until the export ends. So each batch is its own keyset
 * query and other requests run between batches; the export then reads a consistent order (no
 * row twice, none skipped among rows that do not change) but not one snapshot (see docs/exports.md).
 */
export async function runExport<Raw extends Row, Final>(
  db: Queryable,
  plan: ExportPlan<Raw, Final>,
  sink: ExportSink,
  hooks: ExportHooks = {},
): Promise<number> {
  let written = 0;
  let started = false;
  // A batch's rows are rendered first and only its lines are held while the client drains them:
  // rows kept across those waits get promoted to V8's old generation (see EXPORT_BATCH).
  const render = async (q: Queryable, rows: Final[]) => ({ lines: rows.length ? await plan.render(q, rows) : [], count: rows.length });
  const write = async ({ lines, count }: { lines: string[]; count: number }) => {
    if (!started) {
      started = true;
      await hooks.onStart?.();
    }
    if (count === 0) return;
    await writeLines(sink, lines);
    written += count;
    hooks.onRows?.(written);
  };
  const check = () => {
    if (sink.signal.aborted) throw new ExportAborted();
  };

  if (!db.snapshot || (await isEmbedded(db))) {
    let last: Final | undefined;
    for (;;) {
      const rows = await plan.pageAfter(db, last, EXPORT_BATCH);
      check();
      await write(await render(db, rows));
      if (rows.length < EXPORT_BATCH) return written;
      last = rows[rows.length - 1];
    }
  }

  await db.snapshot(async (q) => {
    const [me] = await q.query<{ pid: number; since: string }>(named('export.backend')`
      SELECT pid, backend_start::text AS since FROM pg_stat_activity WHERE pid = pg_backend_pid()`);
    let cancelling: Promise<unknown> | undefined;
    let inFlight = 0;
    const cancel = () => {
      if (inFlight === 0) return;
      // The outer handle: this connection is busy with the statement to cancel.
      cancelling = db
        .query(named('export.cancel')`
          SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = ${me.pid}::int AND backend_start::text = ${me.since}`)
        .catch(() => {});
    };
    sink.signal.addEventListener('abort', cancel, { once: true });
    const send = async <T,>(run: () => Promise<T>): Promise<T> => {
      check();
      inFlight++;
      try {
        return await run();
      } finally {
        inFlight--;
      }
    };
    const fetchBatch = () => {
      const batch = send(() => q.query<Raw>(named('export.fetch')`FETCH FORWARD 250 FROM export_rows`));
      // Handled here as well: it may fail (an abort) while the previous batch is being written.
      batch.catch(() => {});
      return batch;
    };
    let next: Promise<Raw[]> | undefined;
    try {
      await send(() => q.query(named('export.declare')`DECLARE export_rows NO SCROLL CURSOR FOR ${plan.select}`));
      // The next batch is read while this one is encoded and written: PostgreSQL and the
      // encoder work at the same time (one batch ahead at most, so memory stays bounded).
      const renderFetched = async (raw: Raw[]) => {
        next = raw.length === EXPORT_BATCH ? fetchBatch() : undefined;
        const rows = await send(() => plan.complete(q, raw));
        check();
        return render(q, rows);
      };
      next = fetchBatch();
      for (let batch: Promise<Raw[]> | undefined = next; batch !== undefined; batch = next) await write(await renderFetched(await batch));
    } catch (err) {
      // A cancelled statement fails with 57014; the abort is what happened.
      if (sink.signal.aborted) throw new ExportAborted();
      throw err;
    } finally {
      sink.signal.removeEventListener('abort', cancel);
      // Settled before the snapshot ends: a FETCH still queued would run after ROLLBACK.
      await next?.catch(() => {});
      // The connection goes back to the pool only after the cancel was delivered: it must not
      // reach whatever the next user of this connection runs.
      await cancelling;
    }
  });
  return written;
}
