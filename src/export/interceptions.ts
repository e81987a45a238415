import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import type { TokenUsageRow, ToolUsageRow, UserPromptRow } from '../domain/children.ts';
import { interceptionConditions, type InterceptionFilter } from '../domain/interception-filter.ts';
import { interceptionColumns, type InterceptionRow } from '../domain/interceptions.ts';
import { rfc3339, rfc3339OrNull } from '../domain/values.ts';
import { interception } from '../rest/coder-shapes.ts';
import { encodeCoderJson } from '../rest/encode.ts';
import { csvHeader, csvRow, type CsvColumn } from './csv.ts';
import type { ExportFormat } from './format.ts';
import type { ExportPlan } from './run.ts';

/**
 * The interceptions export: what GET /interceptions lists for the same q (completed, visible,
 * newest first), every one. Each row is read whole by PostgreSQL in one statement (the initiator
 * joined, the children aggregated per row through their interception_id indexes), so the rows
 * stream from one cursor and JavaScript only encodes them.
 */

interface Initiator {
  userId: string | null;
  username: string;
  name: string;
  avatarUrl: string;
}

/** NDJSON: the REST list's item, children nested (Coder's order: created_at, id) as JSON arrays of their rows. */
export interface NestedInterception extends InterceptionRow, Initiator {
  tokenUsagesJson: string;
  userPromptsJson: string;
  toolUsagesJson: string;
}

/** CSV: the interception with its children counted and summed. */
export interface FlatInterception extends InterceptionRow, Initiator {
  tokenUsageCount: string;
  inputTokens: string;
  outputTokens: string;
  cacheReadInputTokens: string;
  cacheWriteInputTokens: string;
  userPromptCount: string;
  toolUsageCount: string;
  injectedToolUsageCount: string;
  toolErrorCount: string;
  metadataText: string | null;
}

const INITIATOR = sql`u.id AS "userId", coalesce(u.username, '') AS username, coalesce(u.name, '') AS name, coalesce(u.avatar_url, '') AS "avatarUrl"`;

// The children arrive as JSON text and are parsed only when their line is encoded: a fetched batch
// waits (the one read ahead, and each batch across the client's drain waits) as 250 rows of
// strings rather than thousands of parsed objects, which V8 would promote to the old generation
// and free only at a full collection (the export's RSS growth).
// Timestamps ::text render exactly as the driver returns timestamptz (TimeZone UTC, DateStyle ISO),
// and 64-bit counts as text: the same values the REST list's child statements return.
const NESTED_CHILDREN = sql`
  (SELECT coalesce(json_agg(json_build_object('id', t.id, 'interceptionId', t.interception_id, 'providerResponseId', t.provider_response_id,
            'inputTokens', t.input_tokens::text, 'outputTokens', t.output_tokens::text,
            'cacheReadInputTokens', t.cache_read_input_tokens::text, 'cacheWriteInputTokens', t.cache_write_input_tokens::text,
            'metadata', t.metadata, 'createdAt', t.created_at::text) ORDER BY t.created_at, t.id), '[]'::json)::text
     FROM aibridge_token_usages t WHERE t.interception_id = i.id) AS "tokenUsagesJson",
  (SELECT coalesce(json_agg(json_build_object('id', p.id, 'interceptionId', p.interception_id, 'providerResponseId', p.provider_response_id,
            'prompt', p.prompt, 'metadata', p.metadata, 'createdAt', p.created_at::text) ORDER BY p.created_at, p.id), '[]'::json)::text
     FROM aibridge_user_prompts p WHERE p.interception_id = i.id) AS "userPromptsJson",
  (SELECT coalesce(json_agg(json_build_object('id', tu.id, 'interceptionId', tu.interception_id, 'providerResponseId', tu.provider_response_id,
            'providerToolCallId', tu.provider_tool_call_id, 'providerItemId', tu.provider_item_id, 'tool', tu.tool, 'serverUrl', tu.server_url,
            'input', tu.input, 'injected', tu.injected, 'invocationError', tu.invocation_error, 'metadata', tu.metadata,
            'createdAt', tu.created_at::text) ORDER BY tu.created_at, tu.id), '[]'::json)::text
     FROM aibridge_tool_usages tu WHERE tu.interception_id = i.id) AS "toolUsagesJson"`;

const FLAT_CHILDREN = sql`
  t.n::text AS "tokenUsageCount", t.tin::text AS "inputTokens", t.tout::text AS "outputTokens",
  t.tcr::text AS "cacheReadInputTokens", t.tcw::text AS "cacheWriteInputTokens",
  (SELECT count(*) FROM aibridge_user_prompts p WHERE p.interception_id = i.id)::text AS "userPromptCount",
  tu.n::text AS "toolUsageCount", tu.injected::text AS "injectedToolUsageCount", tu.errors::text AS "toolErrorCount",
  i.metadata::text AS "metadataText"`;

const FLAT_JOINS = sql`
  CROSS JOIN LATERAL (
    SELECT count(*) AS n, coalesce(sum(t.input_tokens), 0) AS tin, coalesce(sum(t.output_tokens), 0) AS tout,
           coalesce(sum(t.cache_read_input_tokens), 0) AS tcr, coalesce(sum(t.cache_write_input_tokens), 0) AS tcw
      FROM aibridge_token_usages t WHERE t.interception_id = i.id) t
  CROSS JOIN LATERAL (
    SELECT count(*) AS n, count(*) FILTER (WHERE tu.injected) AS injected,
           count(*) FILTER (WHERE coalesce(tu.invocation_error, '') <> '') AS errors
      FROM aibridge_tool_usages tu WHERE tu.interception_id = i.id) tu`;

/** The export's SELECT: visible matching interceptions, newest first, optionally after a keyset position. */
export function interceptionExportSelect(viewer: Viewer, filter: InterceptionFilter, format: ExportFormat, after?: InterceptionRow, limit?: number): SqlFragment {
  const where = [interceptionConditions(viewer, filter)];
  if (after) where.push(sql`(i.started_at, i.id) < (${after.startedAt}::timestamptz, ${after.id}::uuid)`);
  const columns = format === 'csv' ? FLAT_CHILDREN : NESTED_CHILDREN;
  return sql`SELECT ${interceptionColumns()}, ${INITIATOR}, ${columns}
    FROM aibridge_interceptions i LEFT JOIN users u ON u.id = i.initiator_id ${format === 'csv' ? FLAT_JOINS : sql.empty}
   WHERE ${sql.join(where, sql` AND `)} ORDER BY i.started_at DESC, i.id DESC ${limit === undefined ? sql.empty : sql`LIMIT ${limit}`}`;
}

const user = (r: Initiator) => (r.userId === null ? null : { id: r.userId, username: r.username, name: r.name, avatarUrl: r.avatarUrl });

/** One NDJSON line: exactly the REST list's item (encodeCoderJson ends it with a newline). */
export const interceptionLine = (r: NestedInterception) =>
  encodeCoderJson(
    interception(r, user(r), {
      tokenUsages: JSON.parse(r.tokenUsagesJson) as TokenUsageRow[],
      userPrompts: JSON.parse(r.userPromptsJson) as UserPromptRow[],
      toolUsages: JSON.parse(r.toolUsagesJson) as ToolUsageRow[],
    }),
  );

/** The CSV columns, in order (docs/exports.md lists them; changing them is a breaking change). */
export const INTERCEPTION_CSV: readonly CsvColumn<FlatInterception>[] = [
  { name: 'id', kind: 'text', value: (r) => r.id },
  { name: 'initiator_id', kind: 'text', value: (r) => r.initiatorId },
  { name: 'initiator_username', kind: 'text', value: (r) => r.username },
  { name: 'provider', kind: 'text', value: (r) => r.provider },
  { name: 'provider_name', kind: 'text', value: (r) => r.providerName },
  { name: 'model', kind: 'text', value: (r) => r.model },
  { name: 'client', kind: 'text', value: (r) => r.client },
  { name: 'session_id', kind: 'text', value: (r) => r.sessionId },
  { name: 'client_session_id', kind: 'text', value: (r) => r.clientSessionId },
  { name: 'thread_root_id', kind: 'text', value: (r) => r.threadRootId },
  { name: 'thread_parent_id', kind: 'text', value: (r) => r.threadParentId },
  { name: 'api_key_id', kind: 'text', value: (r) => r.apiKeyId },
  { name: 'credential_kind', kind: 'text', value: (r) => r.credentialKind },
  { name: 'started_at', kind: 'text', value: (r) => rfc3339(r.startedAt) },
  { name: 'ended_at', kind: 'text', value: (r) => rfc3339OrNull(r.endedAt) },
  { name: 'token_usages', kind: 'number', value: (r) => r.tokenUsageCount },
  { name: 'input_tokens', kind: 'number', value: (r) => r.inputTokens },
  { name: 'output_tokens', kind: 'number', value: (r) => r.outputTokens },
  { name: 'cache_read_input_tokens', kind: 'number', value: (r) => r.cacheReadInputTokens },
  { name: 'cache_write_input_tokens', kind: 'number', value: (r) => r.cacheWriteInputTokens },
  { name: 'user_prompts', kind: 'number', value: (r) => r.userPromptCount },
  { name: 'tool_usages', kind: 'number', value: (r) => r.toolUsageCount },
  { name: 'injected_tool_usages', kind: 'number', value: (r) => r.injectedToolUsageCount },
  { name: 'tool_errors', kind: 'number', value: (r) => r.toolErrorCount },
  { name: 'metadata', kind: 'text', value: (r) => r.metadataText },
];

export const INTERCEPTION_CSV_HEADER = csvHeader(INTERCEPTION_CSV);

type AnyInterception = NestedInterception | FlatInterception;

/** The plan for runExport. */
export function interceptionExport(viewer: Viewer, filter: InterceptionFilter, format: ExportFormat): ExportPlan<AnyInterception & Record<string, unknown>, AnyInterception> {
  const render =
    format === 'csv'
      ? (rows: AnyInterception[]) => (rows as FlatInterception[]).map((r) => csvRow(INTERCEPTION_CSV, r))
      : (rows: AnyInterception[]) => (rows as NestedInterception[]).map(interceptionLine);
  return {
    select: interceptionExportSelect(viewer, filter, format),
    complete: (_q, rows) => Promise.resolve(rows),
    pageAfter: (db: Queryable, last, limit) =>
      db.query<AnyInterception>(named('export.interceptionsPage')`${interceptionExportSelect(viewer, filter, format, last, limit)}`),
    render: (_q, rows) => Promise.resolve(render(rows)),
  };
}
