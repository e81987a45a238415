import type { Queryable } from '../db/db.ts';
import { named, type SqlFragment, sql } from '../db/sql.ts';
import { type CostRow, interceptionCostsSql } from '../domain/usage/priced-usages.ts';
import { DURATION_US } from '../domain/usage/report.ts';
import type { PricePeriod } from '../prices/period.ts';

/**
 * One row of the roll-up grain: a UTC hour and the finest key (initiator, session, model,
 * provider, provider name, client with NULL folded into 'Unknown', credential kind), with the
 * figures of its interceptions. Every figure of Query.usage is a sum of these, a distinct count
 * over their keys, or a percentile over their durations, so any grouping of grain rows answers
 * exactly what the live statement answers over the same interceptions.
 */
export interface GrainRow extends Omit<CostRow, 'sourceShares'> {
  /** UTC hour, as text `YYYY-MM-DD HH:MM:SS+00`. */
  period: string;
  /** The query's bucket start (live part only), PostgreSQL timestamptz text; null otherwise. */
  bucket: string | null;
  initiatorId: string;
  sessionId: string;
  model: string;
  provider: string;
  providerName: string;
  client: string;
  credentialKind: string;
  requests: number;
  /** Integer sums as decimal text (the cost columns, micro-dollars, come from CostRow). */
  inputTokens: string;
  outputTokens: string;
  cacheReadTokens: string;
  cacheWriteTokens: string;
  toolCalls: number;
  injectedToolCalls: number;
  toolErrors: number;
  /** The completed interceptions' durations in whole microseconds (the live percentile sorts them as float8 ms). */
  durationsUs: (string | number | bigint)[];
}

export const PERIOD_TEXT = (ts: SqlFragment) => sql`to_char((${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"+00"')`;

/**
 * The grain rows of the interceptions matching `where` (conditions on `aibridge_interceptions i`,
 * visibility included by the caller), priced with `periods` as the live statement prices them
 * (src/domain/usage/priced-usages.ts), with `bucket` (an expression over `i.started_at`, or NULL)
 * carried along; tool figures zero unless `tools`. One statement.
 */
export async function grainRows(
  db: Queryable, where: SqlFragment, periods: readonly PricePeriod[], recorded: boolean, bucket: SqlFragment = sql`NULL::timestamptz`, tools = true,
): Promise<GrainRow[]> {
  return db.query<GrainRow>(named('rollups.grain')`
    WITH i AS MATERIALIZED (
      SELECT i.id, i.initiator_id, i.session_id, i.provider, i.model, i.provider_name, coalesce(i.client, 'Unknown') AS client,
             i.credential_kind::text AS credential_kind, i.started_at, i.ended_at, ${bucket} AS bucket
        FROM aibridge_interceptions i WHERE ${where}
    ), c AS (${interceptionCostsSql(sql`SELECT * FROM i`, periods, recorded)}
    ), t AS (${tools
      ? sql`SELECT tu.interception_id AS id, count(*) AS calls, count(*) FILTER (WHERE tu.injected) AS injected,
                   count(*) FILTER (WHERE coalesce(tu.invocation_error, '') <> '') AS errors
              FROM aibridge_tool_usages tu JOIN i ON i.id = tu.interception_id GROUP BY 1`
      // Not asked for (a report without tool figures): a third of this statement's time at the live edge.
      : sql`SELECT NULL::uuid AS id, 0::bigint AS calls, 0::bigint AS injected, 0::bigint AS errors WHERE false`}
    )
    SELECT ${PERIOD_TEXT(sql`date_trunc('hour', i.started_at, 'UTC')`)} AS period, i.bucket,
           i.initiator_id::text AS "initiatorId", i.session_id AS "sessionId", i.model, i.provider,
           i.provider_name AS "providerName", i.client, i.credential_kind AS "credentialKind",
           count(*)::int AS requests,
           coalesce(sum(c.tin), 0)::text AS "inputTokens", coalesce(sum(c.tout), 0)::text AS "outputTokens",
           coalesce(sum(c.tcr), 0)::text AS "cacheReadTokens", coalesce(sum(c.tcw), 0)::text AS "cacheWriteTokens",
           coalesce(sum(c.c_total), 0)::text AS "costTotal", coalesce(sum(c.c_in), 0)::text AS "costInput",
           coalesce(sum(c.c_out), 0)::text AS "costOutput", coalesce(sum(c.c_cr), 0)::text AS "costCacheRead",
           coalesce(sum(c.c_cw), 0)::text AS "costCacheWrite", coalesce(sum(c.c_saved), 0)::text AS "costSaved",
           (count(*) FILTER (WHERE c.unpriced))::int AS "unpricedRequests", coalesce(sum(c.unpriced_tokens), 0)::text AS "unpricedTokens",
           coalesce(sum(c.recorded_rows), 0)::int AS "recordedRows", coalesce(sum(c.book_rows), 0)::int AS "bookRows",
           coalesce(sum(t.calls), 0)::int AS "toolCalls", coalesce(sum(t.injected), 0)::int AS "injectedToolCalls",
           coalesce(sum(t.errors), 0)::int AS "toolErrors",
           coalesce(array_agg(${DURATION_US}) FILTER (WHERE i.ended_at IS NOT NULL), '{}')::text[] AS "durationsUs"
      FROM i LEFT JOIN c ON c.id = i.id LEFT JOIN t ON t.id = i.id
     GROUP BY date_trunc('hour', i.started_at, 'UTC'), i.bucket, i.initiator_id, i.session_id, i.model, i.provider,
              i.provider_name, i.client, i.credential_kind`);
}
