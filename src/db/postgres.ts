import pg from 'pg';
import { type Db, RAW_TEXT_TYPES, DatabaseUnavailableError } from './db.ts';
import type { Statement } from './sql.ts';

const rawText = new Set<number>(RAW_TEXT_TYPES);
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (rawText.has(oid)) return (value: string) => value;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

// Connection errors (as opposed to SQL errors) carry these codes; they become 503s.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003', '08004']);
function wrap(err: unknown): unknown {
  const code = (err as { code?: string } | undefined)?.code;
  const message = err instanceof Error ? err.message : '';
  if ((code && CONNECTION_CODES.has(code)) || /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)) {
    return new DatabaseUnavailableError(err);
  }
  return err;
}

export interface PostgresOptions {
  url: string;
  max?: number;
}

export function createPostgresDb({ url, max = 10 }: PostgresOptions): Db & { pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    // Timestamps render as UTC text so the REST layer can pass Coder's microseconds through.
    // JIT off: the token-totals statements overestimate their rows, and PostgreSQL spent
    // 0.6-0.9 s compiling each of them at 1M interceptions to run in 7-30 ms (bench/results).
    // Names the gateway's connections in pg_stat_activity (operators; the replica test).
    application_name: 'aibridge-graphql',
    options: '-c TimeZone=UTC -c DateStyle=ISO -c jit=off',
    // A runaway statement must not hold a request (or a pool slot) forever.
    statement_timeout: 30_000,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor may a checked-out one. pg-pool removes its idle listener when it hands a client out, and
  // `await pool.connect()` (ours, Prisma's adapter) attaches the next listener a microtask later:
  // a server's "terminating connection" (57P01) read in that gap was an uncaught exception (CI,
  // the replica test stopping its standby under load). The client is marked unqueryable when it
  // errors, and pg-pool destroys such a client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));

  const run = async <T,>(q: pg.Pool | pg.PoolClient, s: Statement): Promise<T[]> => {
    db.onStatement?.(s);
    try {
      return (await q.query({ text: s.text, values: s.values as unknown[], types })).rows as T[];
    } catch (err) {
      throw wrap(err);
    }
  };

  const send = async (client: pg.PoolClient, text: string) => {
    try {
      await client.query(text);
    } catch (err) {
      throw wrap(err);
    }
  };

  /** fn on one pooled connection between `begin` and COMMIT (ROLLBACK when fn throws). */
  const onOneClient = async <T,>(begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw wrap(err);
    }
    // A connection that lost its server is destroyed rather than handed to the next request. Its
    // 'error' event (the server going away between two statements of fn) must not crash the
    // process: the next statement on it fails, and that failure is what fn's caller sees.
    let lost: Error | undefined;
    const onLost = (err: Error) => {
      lost = err;
    };
    client.on('error', onLost);
    try {
      await send(client, begin);
      const out = await fn(client);
      await send(client, 'COMMIT');
      return out;
    } catch (err) {
      if (err instanceof DatabaseUnavailableError) lost = err;
      else await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.off('error', onLost);
      client.release(lost);
    }
  };

  const db: Db & { pool: pg.Pool } = {
    kind: 'postgres',
    pool,
    query: (s) => run(pool, s),
    transaction: (fn) =>
      onOneClient('BEGIN', (client) =>
        fn({
          query: (s) => run(client, s),
          exec: (script) => send(client, script),
        }),
      ),
    snapshot: (fn) => onOneClient('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY', (client) => fn({ query: (s) => run(client, s) })),
    async exec(script) {
      try {
        await pool.query(script);
      } catch (err) {
        throw wrap(err);
      }
    },
    async close() {
      await pool.end();
    },
  };
  return db;
}
