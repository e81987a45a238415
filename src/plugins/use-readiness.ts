import { useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { Queryable } from '../db/db.ts';
import type { ReplicaStatus } from '../db/replicas.ts';
import { capabilitiesReport, type SchemaProbe } from '../db/schema-probe.ts';
import { named } from '../db/sql.ts';
import { json } from '../rest/respond.ts';

/**
 * GET /readyz: 200 {"status":"ready","capabilities":[…]} (the optional Coder parts detected,
 * src/db/capabilities.ts) while the database answers, 503 {"status":"unavailable"} otherwise, through Yoga's readiness plugin. That plugin also answers any URL that merely ends
 * in the endpoint (/foo/readyz, /graphql?x=/readyz); only the path /readyz is handed to it, so
 * those keep their own answers (404, GraphQL). With read replicas the body lists each one
 * (`replicas`); reads fall back to the primary, so a replica down does not make the gateway unready.
 */
export function useReadiness(db: Queryable, schema: SchemaProbe, replicaStatus?: () => ReplicaStatus[]): Plugin {
  const replicas = () => (replicaStatus ? { replicas: replicaStatus().map((r) => ({ name: r.name, status: r.healthy ? 'ready' : 'unavailable' })) } : {});
  const readiness = useReadinessCheck({
    endpoint: '/readyz',
    async check() {
      try {
        await db.query(named('readiness.ping')`SELECT 1`);
        // Readiness is also when an undetected schema (the database was down at start) gets read.
        await schema.current();
        return json({ status: 'ready', ...capabilitiesReport(schema), ...replicas() });
      } catch {
        return json({ status: 'unavailable', detail: 'the database is not reachable', ...replicas() }, 503);
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
