import { visibleTo } from '../auth/visibility.ts';
import type { Viewer } from '../auth/viewer.ts';
import { sql, type SqlFragment } from '../db/sql.ts';

/** The filters both surfaces offer; every field is an exact match unless said otherwise. */
export interface InterceptionFilter {
  initiatorId?: string;
  provider?: string;
  providerName?: string;
  model?: string;
  /** `Unknown` also matches NULL, as Coder stores both. */
  client?: string;
  sessionId?: string;
  /** Inclusive bounds, RFC 3339. */
  startedAfter?: string;
  startedBefore?: string;
  /** Only completed interceptions (ended_at set) unless true. */
  includeInFlight?: boolean;
  /**
   * Only failed interceptions (an upstream error recorded), of any of `types` when given.
   * `recorded` false: the database has no error columns (an older Coder), so nothing matches.
   */
  failed?: { types?: readonly string[]; recorded: boolean };
}

/**
 * Conditions (joined with AND) for visible interceptions matching the filter, on the
 * interceptions table under alias `a` (a literal fragment such as sql`r`).
 */
export function interceptionConditions(viewer: Viewer, f: InterceptionFilter, a: SqlFragment = sql`i`): SqlFragment {
  const c: SqlFragment[] = [visibleTo(viewer, a)];
  if (!f.includeInFlight) c.push(sql`${a}.ended_at IS NOT NULL`);
  if (f.initiatorId !== undefined) c.push(sql`${a}.initiator_id = ${f.initiatorId}::uuid`);
  if (f.provider !== undefined) c.push(sql`${a}.provider = ${f.provider}`);
  if (f.providerName !== undefined) c.push(sql`${a}.provider_name = ${f.providerName}`);
  if (f.model !== undefined) c.push(sql`${a}.model = ${f.model}`);
  if (f.client !== undefined) {
    c.push(f.client === 'Unknown' ? sql`(${a}.client IS NULL OR ${a}.client = 'Unknown')` : sql`${a}.client = ${f.client}`);
  }
  if (f.sessionId !== undefined) c.push(sql`${a}.session_id = ${f.sessionId}`);
  if (f.startedAfter !== undefined) c.push(sql`${a}.started_at >= ${f.startedAfter}::timestamptz`);
  if (f.startedBefore !== undefined) c.push(sql`${a}.started_at <= ${f.startedBefore}::timestamptz`);
  if (f.failed) {
    const { types, recorded } = f.failed;
    c.push(!recorded ? sql`FALSE` : types ? sql`${a}.error_type::text = ANY(${types}::text[])` : sql`${a}.error_type IS NOT NULL`);
  }
  return sql.join(c, sql` AND `);
}
