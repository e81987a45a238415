import type { Queryable } from '../db/db.ts';
import { named, sql } from '../db/sql.ts';

/**
 * The rows hanging off interceptions, read for many interceptions in one statement each
 * (`interception_id = ANY(ids)`): the batch functions behind the GraphQL DataLoaders and the
 * REST pages alike. Callers pass only ids of interceptions the viewer may see.
 * Each list is ordered created_at ASC, id ASC (Coder's order).
 */

export interface TokenUsageRow {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  inputTokens: string;
  outputTokens: string;
  cacheReadInputTokens: string;
  cacheWriteInputTokens: string;
  metadata: unknown;
  createdAt: string;
}

export interface ToolUsageRow {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  providerToolCallId: string | null;
  providerItemId: string | null;
  tool: string;
  serverUrl: string | null;
  input: string;
  injected: boolean;
  invocationError: string | null;
  metadata: unknown;
  createdAt: string;
}

export interface UserPromptRow {
  id: string;
  interceptionId: string;
  providerResponseId: string;
  prompt: string;
  metadata: unknown;
  createdAt: string;
}

export interface ModelThoughtRow {
  interceptionId: string;
  content: string;
  metadata: unknown;
  createdAt: string;
}

/**
 * A tool usage row (alias `t`) as a JSON object with ToolUsageRow's fields, for statements that
 * read tool calls beside their interception (json_build_object arguments). Timestamps as text:
 * the same text PostgreSQL sends for the column (ISO DateStyle, UTC), which values.ts reads.
 */
export const TOOL_USAGE_JSON = sql`'id', t.id, 'interceptionId', t.interception_id, 'providerResponseId', t.provider_response_id,
  'providerToolCallId', t.provider_tool_call_id, 'providerItemId', t.provider_item_id, 'tool', t.tool,
  'serverUrl', t.server_url, 'input', t.input, 'injected', t.injected, 'invocationError', t.invocation_error,
  'metadata', t.metadata, 'createdAt', t.created_at::text`;

/** A model thought (alias `th`) as a JSON object with ModelThoughtRow's fields (see TOOL_USAGE_JSON). */
export const MODEL_THOUGHT_JSON = sql`'interceptionId', th.interception_id, 'content', th.content, 'metadata', th.metadata,
  'createdAt', th.created_at::text`;

/** Groups rows by interception id, one (possibly empty) list per id asked for, in that order. */
function groupBy<T extends { interceptionId: string }>(ids: readonly string[], rows: T[]): T[][] {
  const map = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const r of rows) map.get(r.interceptionId)?.push(r);
  return ids.map((id) => map.get(id)!);
}

export async function tokenUsagesFor(db: Queryable, ids: readonly string[]): Promise<TokenUsageRow[][]> {
  const rows = await db.query<TokenUsageRow>(named('children.tokenUsages')`
    SELECT id, interception_id AS "interceptionId", provider_response_id AS "providerResponseId",
            input_tokens AS "inputTokens", output_tokens AS "outputTokens",
            cache_read_input_tokens AS "cacheReadInputTokens", cache_write_input_tokens AS "cacheWriteInputTokens",
            metadata, created_at AS "createdAt"
       FROM aibridge_token_usages WHERE interception_id = ANY(${ids}::uuid[]) ORDER BY created_at, id`);
  return groupBy(ids, rows);
}

export async function toolUsagesFor(db: Queryable, ids: readonly string[]): Promise<ToolUsageRow[][]> {
  const rows = await db.query<ToolUsageRow>(named('children.toolUsages')`
    SELECT id, interception_id AS "interceptionId", provider_response_id AS "providerResponseId",
            provider_tool_call_id AS "providerToolCallId", provider_item_id AS "providerItemId", tool,
            server_url AS "serverUrl", input, injected, invocation_error AS "invocationError", metadata,
            created_at AS "createdAt"
       FROM aibridge_tool_usages WHERE interception_id = ANY(${ids}::uuid[]) ORDER BY created_at, id`);
  return groupBy(ids, rows);
}

export async function userPromptsFor(db: Queryable, ids: readonly string[]): Promise<UserPromptRow[][]> {
  const rows = await db.query<UserPromptRow>(named('children.userPrompts')`
    SELECT id, interception_id AS "interceptionId", provider_response_id AS "providerResponseId", prompt, metadata,
            created_at AS "createdAt"
       FROM aibridge_user_prompts WHERE interception_id = ANY(${ids}::uuid[]) ORDER BY created_at, id`);
  return groupBy(ids, rows);
}

/** Model thoughts have no id (Coder's table has no key); ctid only makes ties deterministic. */
export async function modelThoughtsFor(db: Queryable, ids: readonly string[]): Promise<ModelThoughtRow[][]> {
  const rows = await db.query<ModelThoughtRow>(named('children.modelThoughts')`
    SELECT interception_id AS "interceptionId", content, metadata, created_at AS "createdAt"
       FROM aibridge_model_thoughts WHERE interception_id = ANY(${ids}::uuid[]) ORDER BY created_at, ctid`);
  return groupBy(ids, rows);
}
