import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { Queryable } from '../db/db.ts';
import { named } from '../db/sql.ts';
import { json } from '../rest/respond.ts';

/**
 * GET /readyz: 200 {"status":"ready"} while the database answers, 503 {"status":"unavailable"}
 * otherwise, through Yoga's readiness plugin. That plugin also answers any URL that merely ends
 * in the endpoint (/foo/readyz, /graphql?x=/readyz); only the path /readyz is handed to it, so
 * those keep their own answers (404, GraphQL).
 */
export function useReadiness(db: Queryable): Plugin {
  const readiness = useReadinessCheck({
    endpoint: '/readyz',
    async check() {
      try {
        await db.query(named('readiness.ping')`SELECT 1`);
        return json({ status: 'ready' });
      } catch {
        return json({ status: 'unavailable', detail: 'the database is not reachable' }, 503);
      }
    },
  });
  return {
    ...readiness,
    onRequest(payload) {
      if (payload.url.pathname === '/readyz') return readiness.onRequest?.(payload);
    },
  };
}
