import { sql, type SqlFragment } from '../db/sql.ts';

/**
 * What identifies a session: the interceptions sharing (session_id, initiator_id). Shared by the
 * session, thread and interception reads, so none of them imports another for it.
 */

export interface SessionKey {
  sessionId: string;
  initiatorId: string;
}

/** What a whole-group read includes; completed interceptions only unless includeInFlight. */
export interface SessionScope {
  includeInFlight?: boolean;
}

/** The group key as one string (initiator UUID first: fixed length, so unambiguous). */
export function sessionGroupKey(k: SessionKey): string {
  return `${k.initiatorId} ${k.sessionId}`;
}

/**
 * `JOIN` of the interceptions under alias `a` onto the listed groups: one statement reads any
 * number of sessions.
 */
export function joinSessionKeys(keys: readonly SessionKey[], a: SqlFragment = sql`i`): SqlFragment {
  return sql`JOIN unnest(${keys.map((k) => k.sessionId)}::text[], ${keys.map((k) => k.initiatorId)}::uuid[]) AS k(session_id, initiator_id)
      ON ${a}.session_id = k.session_id AND ${a}.initiator_id = k.initiator_id`;
}
