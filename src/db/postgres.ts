import { createHash } from 'node:crypto';
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

/**
 * Statements sent on (nearly) every request, run as named prepared statements: PostgreSQL then
 * parses and plans them once per connection instead of per request. interceptions.pageJson is
 * ~3 KB of SQL that took ~0.4 ms to plan at 1M interceptions (W4, bench/results/2026-11-30-w4.md);
 * its text depends on the GraphQL selection, so each connection keeps at most
 * PREPARED_PER_CONNECTION of them (least recently used deallocated).
 */
const PREPARED = new Set(['auth.apiKey', 'interceptions.pageJson']);
export const PREPARED_PER_CONNECTION = 16;

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

  const run = async <T,>(q: pg.Pool | pg.PoolClient, s: Statement): Promise<T[]> => {
    db.onStatement?.(s);
    try {
      return (await q.query({ text: s.text, values: s.values as unknown[], types })).rows as T[];
    } catch (err) {
      throw wrap(err);
    }
  };

  /** Per connection: prepared statement names, least recently used first. */
  const prepared = new WeakMap<pg.PoolClient, Set<string>>();
  const runPrepared = async <T,>(s: Statement): Promise<T[]> => {
    db.onStatement?.(s);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw wrap(err);
    }
    let lost: unknown;
    // As in onOneClient: a server lost while this connection is out must not crash the process.
    const onLost = (err: Error) => {
      lost = err;
    };
    client.on('error', onLost);
    try {
      const name = `${s.name}/${createHash('sha1').update(s.text).digest('hex').slice(0, 16)}`;
      let names = prepared.get(client);
      if (!names) prepared.set(client, (names = new Set()));
      if (!names.delete(name) && names.size >= PREPARED_PER_CONNECTION) {
        const [oldest] = names;
        names.delete(oldest);
        await client.query(`DEALLOCATE "${oldest}"`).catch(() => {});
        delete (client as unknown as { connection: { parsedStatements: Record<string, string> } }).connection.parsedStatements[oldest];
      }
      names.add(name);
      return (await client.query({ name, text: s.text, values: s.values as unknown[], types })).rows as T[];
    } catch (err) {
      const wrapped = wrap(err);
      if (wrapped instanceof DatabaseUnavailableError) lost = wrapped;
      throw wrapped;
    } finally {
      client.off('error', onLost);
      client.release(lost as Error | undefined);
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
    query: (s) => (PREPARED.has(s.name) ? runPrepared(s) : run(pool, s)),
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
