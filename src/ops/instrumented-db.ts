import { performance } from 'node:perf_hooks';
import type { Queryable } from '../db/db.ts';
import type { Statement } from '../db/sql.ts';
import type { Metrics } from './metrics.ts';
import { currentScope } from './request-scope.ts';
import type { Tracing } from './tracing.ts';

/**
 * A Queryable over `db` that times every statement: a metric by statement name, the request's
 * statement count and database time (the access log, X-Query-Cost) and, when tracing, a client
 * span under the request's open span. Values are never recorded: they hold search text and ids.
 */
export function instrumentedDb(db: Queryable, metrics: Metrics, tracing?: Tracing): Queryable {
  return {
    // A snapshot's statements (a list's page and count) are timed like any other.
    ...(db.snapshot && { snapshot: <T,>(fn: (q: Queryable) => Promise<T>) => db.snapshot!((inner) => fn(instrumentedDb(inner, metrics, tracing))) }),
    async query<T>(statement: Statement): Promise<T[]> {
      const scope = currentScope();
      const span = tracing?.startSpan(statement.name, 'client', { 'db.system.name': 'postgresql', 'db.operation.name': statement.name, 'db.query.text': statement.text }, scope?.span);
      const started = performance.now();
      let ok = false;
      try {
        const rows = await db.query<T>(statement);
        ok = true;
        return rows;
      } catch (err) {
        span?.fail(err);
        throw err;
      } finally {
        const ms = performance.now() - started;
        metrics.statement(statement.name, ok, ms / 1000);
        if (scope) {
          scope.facts.statements++;
          scope.facts.dbMs += ms;
        }
        span?.end();
      }
    },
  };
}
