import pg from 'pg';
import { type Db, type Transaction, RAW_TEXT_TYPES, DatabaseUnavailableError } from './db.ts';
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
  if ((code && CONNECTION_CODES.has(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(message)) {
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

  const db: Db & { pool: pg.Pool } = {
    kind: 'postgres',
    pool,
    query: (s) => run(pool, s),
    async transaction(fn) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw wrap(err);
      }
      const tx: Transaction = {
        query: (s) => run(client, s),
        async exec(script) {
          try {
            await client.query(script);
          } catch (err) {
            throw wrap(err);
          }
        },
      };
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
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
