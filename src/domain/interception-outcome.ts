import type { Viewer } from '../auth/viewer.ts';
import type { Capabilities } from '../db/capabilities.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { uuidsOnly } from './ids.ts';
import { interceptionConditions, type InterceptionFilter } from './interception-filter.ts';

/**
 * What a current Coder records about how an interception went, beyond the seed-era columns: the
 * terminal upstream error and the Agent Firewall position. Read only where the columns exist
 * (src/db/capabilities.ts); an older database yields the empty outcome for every interception.
 */

/** Coder's aibridge_interception_error_type values. */
export const ERROR_TYPES = ['bad_request', 'unauthorized', 'rate_limited', 'overloaded', 'server_error', 'timeout', 'unknown'] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export interface InterceptionOutcome {
  /** The upstream error; null on success (and always where the columns do not exist). */
  error: { type: ErrorType; message: string | null } | null;
  /** The Agent Firewall session the request went through, and its position there; null when not recorded. */
  firewall: { sessionId: string; sequenceNumber: number | null } | null;
}

const NONE: InterceptionOutcome = Object.freeze({ error: null, firewall: null });

/** The outcome columns as outcomeColumns selects them (readOutcome reads them). */
export interface OutcomeColumns {
  errorType: ErrorType | null;
  errorMessage: string | null;
  firewallSessionId: string | null;
  firewallSequenceNumber: number | null;
}

/** The outcome columns of interceptions under alias `a`; NULLs where the database lacks them. */
export function outcomeColumns(caps: Capabilities, a: SqlFragment = sql`i`): SqlFragment {
  const errors = caps.interceptionErrors
    ? sql`${a}.error_type::text AS "errorType", ${a}.error_message::text AS "errorMessage"`
    : sql`NULL::text AS "errorType", NULL::text AS "errorMessage"`;
  const firewall = caps.firewallColumns
    ? sql`${a}.agent_firewall_session_id AS "firewallSessionId", ${a}.agent_firewall_sequence_number AS "firewallSequenceNumber"`
    : sql`NULL::uuid AS "firewallSessionId", NULL::int AS "firewallSequenceNumber"`;
  return sql`${errors}, ${firewall}`;
}

/** A message without a type is dropped (Coder shows none without a type). */
export function readOutcome(r: OutcomeColumns): InterceptionOutcome {
  return {
    error: r.errorType ? { type: r.errorType, message: r.errorMessage } : null,
    firewall: r.firewallSessionId ? { sessionId: r.firewallSessionId, sequenceNumber: r.firewallSequenceNumber } : null,
  };
}

/**
 * Outcomes of interceptions by id, in the order asked: one statement, none when the database has
 * neither the error nor the firewall columns. Callers pass ids of interceptions the viewer may see.
 */
export async function outcomesOf(db: Queryable, caps: Capabilities, ids: readonly string[]): Promise<InterceptionOutcome[]> {
  if ((!caps.interceptionErrors && !caps.firewallColumns) || ids.length === 0) return ids.map(() => NONE);
  const rows = await db.query<OutcomeColumns & { id: string }>(named('interceptions.outcomes')`
    SELECT i.id, ${outcomeColumns(caps)} FROM aibridge_interceptions i WHERE i.id = ANY(${uuidsOnly(ids)}::uuid[])`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => {
    const r = byId.get(id.toLowerCase());
    return r ? readOutcome(r) : NONE;
  });
}

/**
 * Failed interceptions matching `filter`, counted per error type (every type listed, 0 where
 * none): the seam for usage analytics' `errors`. One statement; none (all zero) where the
 * database records no errors.
 */
export async function countErrorsByType(
  db: Queryable,
  caps: Capabilities,
  viewer: Viewer,
  filter: InterceptionFilter,
): Promise<Record<ErrorType, number>> {
  const counts = Object.fromEntries(ERROR_TYPES.map((t) => [t, 0])) as Record<ErrorType, number>;
  if (!caps.interceptionErrors) return counts;
  const rows = await db.query<{ type: ErrorType; n: string }>(named('interceptions.errorCounts')`
    SELECT i.error_type::text AS type, count(*) AS n FROM aibridge_interceptions i
     WHERE ${interceptionConditions(viewer, filter)} AND i.error_type IS NOT NULL
     GROUP BY i.error_type`);
  for (const r of rows) if (r.type in counts) counts[r.type] = Number(r.n);
  return counts;
}
