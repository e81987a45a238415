import pg from 'pg';
import type { Db, Queryable, Transaction } from '../../src/db/db.ts';
import { RAW_TEXT_TYPES } from '../../src/db/db.ts';
import type { Statement as SqlStatement } from '../../src/db/sql.ts';
import type { HttpWorkload } from './load.ts';

/**
 * Runs one request through the gateway in-process (createApp over a recording Db) and keeps
 * every SQL statement it sends, with its parameters and what had completed when it was issued
 * (`waitsFor`). Replaying that graph with pg alone
 * is the floor (F1): the same SQL and the same overlap, no HTTP, no GraphQL, no JSON.
 */
export interface Statement {
  text: string;
  params: unknown[];
  /** Indexes of the statements that had completed when this one was sent. */
  waitsFor: number[];
}

export interface Capture {
  status: number;
  statements: Statement[];
  body: string;
}

interface Recorder {
  db: Db;
  start(): void;
  stop(): Statement[];
}

export function recordingDb(inner: Db): Recorder {
  let log: Statement[] | null = null;
  let completed: number[] = [];
  const wrap = (q: Queryable): Queryable => ({
    async query<T>(s: SqlStatement) {
      const mine = log ? log.push({ text: s.text, params: [...s.values], waitsFor: [...completed] }) - 1 : -1;
      try {
        return await q.query<T>(s);
      } finally {
        if (log && mine >= 0) completed.push(mine);
      }
    },
  });
  const db: Db = {
    kind: inner.kind,
    query: (s) => wrap(inner).query(s),
    transaction: (fn) => inner.transaction((tx: Transaction) => fn({ ...wrap(tx), exec: (script) => tx.exec(script) })),
    exec: (script) => inner.exec(script),
    close: () => inner.close(),
  };
  return {
    db,
    start() {
      log = [];
      completed = [];
    },
    stop() {
      const out = log ?? [];
      log = null;
      return out;
    },
  };
}

type FetchApp = { fetch(request: Request): Promise<Response> | Response };

/** Sends the workload's request to the in-process app once (warm) and once recorded. */
export async function captureRequest(app: FetchApp, rec: Recorder, w: HttpWorkload): Promise<Capture> {
  const send = async () => {
    const res = await app.fetch(new Request(w.url, { method: w.method, headers: w.headers, body: w.body }));
    return { status: res.status, body: await res.text() };
  };
  await send();
  rec.start();
  const { status, body } = await send();
  return { status, body, statements: rec.stop() };
}

const rawText = new Set<number>(RAW_TEXT_TYPES);
/** The gateway's result parsing: timestamps and 64-bit numbers stay text. */
export const gatewayTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (rawText.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  },
};

/** Replays a captured request's statements with their original overlap. */
export function replayer(pool: pg.Pool, statements: Statement[]): () => Promise<void> {
  return async () => {
    const done: Promise<unknown>[] = [];
    for (const s of statements) {
      const before = Promise.all(s.waitsFor.map((n) => done[n]));
      done.push(before.then(() => pool.query({ text: s.text, values: s.params, types: gatewayTypes })));
    }
    await Promise.all(done);
  };
}
