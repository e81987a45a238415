import { PGlite } from '@electric-sql/pglite';
import { type Db, type Transaction, RAW_TEXT_TYPES, DatabaseUnavailableError } from './db.ts';
import type { Statement } from './sql.ts';

const identity = (value: string) => value;
const parsers = Object.fromEntries(RAW_TEXT_TYPES.map((oid) => [oid, identity]));

// A closed (or closing) PGlite is the embedded database gone: a 503, as PostgreSQL's connection
// errors are. PGlite says so only in the message of a plain Error.
function rethrow(err: unknown): never {
  throw err instanceof Error && /^PGlite is clos(ed|ing)$/.test(err.message) ? new DatabaseUnavailableError(err) : err;
}

/**
 * An in-process PostgreSQL (WASM). `dataDir` undefined keeps it in memory (tests); a path keeps
 * it on disk (embedded mode). PGlite has a single connection, so statements queue; a
 * transaction holds that connection until it ends.
 */
export async function createPgliteDb(dataDir?: string, loadDataDir?: Blob): Promise<Db & { pglite: PGlite }> {
  const pglite = await PGlite.create({ dataDir, loadDataDir });
  await pglite.exec(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO'`);

  const run = async <T,>(q: Pick<PGlite, 'query'>, s: Statement) => {
    db.onStatement?.(s);
    return (await q.query<T>(s.text, s.values as unknown[], { parsers }).catch(rethrow)).rows;
  };

  const db: Db & { pglite: PGlite } = {
    kind: 'pglite',
    pglite,
    query: (s) => run(pglite, s),
    async transaction(fn) {
      return pglite.transaction(async (t) => {
        const tx: Transaction = {
          query: (s) => run(t, s),
          async exec(script) {
            await t.exec(script);
          },
        };
        return fn(tx);
      }).catch(rethrow);
    },
    async exec(script) {
      await pglite.exec(script);
    },
    async close() {
      await pglite.close();
    },
  };
  return db;
}
