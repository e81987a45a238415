import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { uuidsOnly } from './ids.ts';
import type { UserRow } from './users.ts';

/**
 * The rows hanging off interceptions, read for many interceptions in one statement each
 * (`interception_id = ANY(ids)`, REST's pages), or several kinds in one statement
 * (childrenBundle, behind the GraphQL DataLoaders). Callers pass only ids of interceptions the
 * viewer may see.
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

/**
 * A model thought (alias `th`) as a JSON object with ModelThoughtRow's fields (see TOOL_USAGE_JSON).
 * Model thoughts have no id (Coder's table has no key); readers order them by created_at, ctid
 * (ctid only makes ties deterministic).
 */
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


/** The child kinds childrenBundle reads, with their rows. */
export interface ChildRows {
  tokenUsages: TokenUsageRow;
  toolUsages: ToolUsageRow;
  userPrompts: UserPromptRow;
  modelThoughts: ModelThoughtRow;
}
export type ChildKind = keyof ChildRows;

/** Each kind's table, JSON object (ChildRows' fields; 64-bit counters and timestamps as text, as a column sends them) and order. */
const KINDS: Record<ChildKind, { from: SqlFragment; json: SqlFragment; order: SqlFragment }> = {
  tokenUsages: {
    from: sql`aibridge_token_usages t`,
    json: sql`'id', t.id, 'interceptionId', t.interception_id, 'providerResponseId', t.provider_response_id,
      'inputTokens', t.input_tokens::text, 'outputTokens', t.output_tokens::text,
      'cacheReadInputTokens', t.cache_read_input_tokens::text, 'cacheWriteInputTokens', t.cache_write_input_tokens::text,
      'metadata', t.metadata, 'createdAt', t.created_at::text`,
    order: sql`t.created_at, t.id`,
  },
  toolUsages: { from: sql`aibridge_tool_usages t`, json: TOOL_USAGE_JSON, order: sql`t.created_at, t.id` },
  userPrompts: {
    from: sql`aibridge_user_prompts t`,
    json: sql`'id', t.id, 'interceptionId', t.interception_id, 'providerResponseId', t.provider_response_id, 'prompt', t.prompt,
      'metadata', t.metadata, 'createdAt', t.created_at::text`,
    order: sql`t.created_at, t.id`,
  },
  modelThoughts: { from: sql`aibridge_model_thoughts th`, json: MODEL_THOUGHT_JSON, order: sql`th.created_at, th.ctid` },
};

export interface BundleRequest {
  children: Partial<Record<ChildKind, readonly string[]>>;
  /** User ids (initiators of rows the viewer may see). */
  users?: readonly string[];
}

export interface BundleResult {
  children: { [K in ChildKind]?: ChildRows[K][][] };
  users?: (UserRow | null)[];
}

/**
 * Several kinds of child rows (and users) in ONE statement (`children.bundle`): what one
 * GraphQL request asks for in the same turn (an interceptions page's tokenUsages, toolUsages,
 * userPrompts and initiator) was one statement per kind. Each kind's rows come grouped per
 * interception as a JSON array, ordered as the per-kind reads above order them; lists per id
 * asked, in that order, as those reads return them. Fewer round trips mattered more than the
 * SQL: W4's statements take < 1 ms each, while each costs the gateway a socket write and a
 * wake-up of the database (writev was 17% of W4's busy CPU in-process; bench/results).
 */
export async function childrenBundle(db: Queryable, req: BundleRequest): Promise<BundleResult> {
  const kinds = (Object.keys(req.children) as ChildKind[]).filter((k) => req.children[k]!.length > 0);
  const parts: SqlFragment[] = kinds.map((k) => {
    const { from, json, order } = KINDS[k];
    const a = k === 'modelThoughts' ? sql`th` : sql`t`;
    return sql`SELECT ${k}::text AS kind, ${a}.interception_id AS id, json_agg(json_build_object(${json}) ORDER BY ${order}) AS rows
      FROM ${from} WHERE ${a}.interception_id = ANY(${req.children[k]}::uuid[]) GROUP BY ${a}.interception_id`;
  });
  if (req.users?.length) {
    parts.push(sql`SELECT 'users'::text AS kind, u.id, json_build_array(json_build_object('id', u.id, 'username', u.username, 'name', u.name, 'avatarUrl', u.avatar_url)) AS rows
      FROM users u WHERE u.id = ANY(${uuidsOnly(req.users)}::uuid[])`);
  }
  const out: BundleResult = { children: {} };
  if (parts.length === 0) {
    for (const k of Object.keys(req.children) as ChildKind[]) out.children[k] = req.children[k]!.map(() => []);
    if (req.users) out.users = req.users.map(() => null);
    return out;
  }
  const rows = await db.query<{ kind: ChildKind | 'users'; id: string; rows: unknown[] }>(named('children.bundle')`${sql.join(parts, sql` UNION ALL `)}`);
  const found = new Map<string, unknown[]>(rows.map((r) => [`${r.kind} ${r.id}`, r.rows]));
  for (const k of Object.keys(req.children) as ChildKind[]) {
    (out.children as Record<ChildKind, unknown[][]>)[k] = req.children[k]!.map((id) => found.get(`${k} ${id}`) ?? []);
  }
  if (req.users) out.users = req.users.map((id) => (found.get(`users ${id.toLowerCase()}`)?.[0] as UserRow | undefined) ?? null);
  return out;
}
