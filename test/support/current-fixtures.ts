import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../src/db/db.ts';
import { named } from '../../src/db/sql.ts';

/** Fixtures for the columns and tables only a current Coder schema has (coder-current.sql). */

/** Sets an interception's upstream error and Agent Firewall position. */
export async function setOutcome(db: Queryable, id: string, o: {
  errorType?: string | null; errorMessage?: string | null; firewallSessionId?: string | null; firewallSequence?: number | null;
}) {
  await db.query(named('test')`UPDATE aibridge_interceptions SET error_type = ${o.errorType ?? null}::aibridge_interception_error_type,
      error_message = ${o.errorMessage ?? null}, agent_firewall_session_id = ${o.firewallSessionId ?? null}::uuid,
      agent_firewall_sequence_number = ${o.firewallSequence ?? null}::int
    WHERE id = ${id}::uuid`);
}

export interface BoundaryLogFixture {
  sessionId: string;
  sequenceNumber: number;
  proto?: string;
  method?: string;
  detail?: string;
  /** null: blocked. */
  matchedRule?: string | null;
  createdAt: string;
  capturedAt?: string;
  id?: string;
}

export async function addBoundaryLog(db: Queryable, f: BoundaryLogFixture): Promise<string> {
  const id = f.id ?? randomUUID();
  await db.query(named('test')`INSERT INTO boundary_logs (id, session_id, sequence_number, captured_at, created_at, proto, method, detail, matched_rule)
    VALUES (${id}, ${f.sessionId}, ${f.sequenceNumber}, ${f.capturedAt ?? f.createdAt}, ${f.createdAt}, ${f.proto ?? 'http'}, ${f.method ?? 'GET'},
            ${f.detail ?? ''}, ${f.matchedRule === undefined ? 'allow-all' : f.matchedRule})`);
  return id;
}
