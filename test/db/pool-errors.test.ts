import { expect, it } from 'vitest';
import { createPostgresDb } from '../../src/db/postgres.ts';
import { named } from '../../src/db/sql.ts';
import { createTestDb } from '../support/databases.ts';

/**
 * A connection's server going away (57P01 "terminating connection due to administrator command")
 * is emitted as an 'error' on the pg client. EventEmitter throws an 'error' nobody listens to:
 * in the gateway that is an uncaught exception, so a pooled client must have a listener at every
 * moment, including the one right after the pool hands it out.
 */
if (process.env.TEST_DATABASE_URL) {
  it('survives a connection error emitted the moment the pool hands the connection out (snapshot, transaction, plain read)', async () => {
    const t = await createTestDb('postgres');
    const db = createPostgresDb({ url: t.url!, max: 1 });
    const thrown: unknown[] = [];
    const handedOut: unknown[] = [];
    // 'acquire' is emitted before pg-pool drops its idle listener and calls back; a microtask
    // queued here runs before `await pool.connect()` resumes: the window the error fell into.
    db.pool.on('acquire', (client) => {
      handedOut.push(client);
      queueMicrotask(() => {
        try {
          // pg's own path for a server error outside a query (pg/lib/client.js): it marks the
          // client unqueryable, then emits 'error'.
          (client as unknown as { _handleErrorEvent(e: Error): void })._handleErrorEvent(new Error('terminating connection due to administrator command'));
        } catch (err) {
          thrown.push(err);
        }
      });
    });
    try {
      const one = named('test.one')`SELECT 1 AS one`;
      await db.snapshot((q) => q.query(one)).catch(() => {});
      await db.transaction((q) => q.query(one)).catch(() => {});
      await db.query(one).catch(() => {});
      expect(thrown).toEqual([]);
      // A connection that reported an error is not handed out again: each read got a new one.
      expect(handedOut).toHaveLength(3);
      expect(new Set(handedOut).size).toBe(3);
      db.pool.removeAllListeners('acquire');
      expect(await db.query(one)).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await t.close();
    }
  });
}
