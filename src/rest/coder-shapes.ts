import type { TokenUsageRow, ToolUsageRow, UserPromptRow } from '../domain/children.ts';
import type { UserRow } from '../domain/users.ts';
import type { InterceptionRow } from '../domain/interceptions.ts';
import type { TokenTotals } from '../domain/token-totals.ts';
import { rfc3339, rfc3339OrNull } from '../domain/values.ts';
import { GoMap, JsonInt } from './encode.ts';

/**
 * Domain rows → Coder's codersdk structs, fields in Go struct order (codersdk/aibridge.go),
 * for `encodeCoderJson`. Shared by the REST endpoints; each endpoint file only adds its
 * top-level shape.
 */

/** codersdk.MinimalUser: name and avatar_url are `omitempty`. */
export function minimalUser(id: string, u: UserRow | null) {
  return {
    id,
    username: u?.username ?? '',
    name: u?.name ? u.name : undefined,
    avatar_url: u?.avatarUrl ? u.avatarUrl : undefined,
  };
}

/** A metadata column: a Go map[string]any (null stays null). */
export function metadataMap(m: unknown) {
  return new GoMap(m ?? null);
}

export function tokenUsage(t: TokenUsageRow) {
  return {
    id: t.id,
    interception_id: t.interceptionId,
    provider_response_id: t.providerResponseId,
    input_tokens: new JsonInt(t.inputTokens),
    output_tokens: new JsonInt(t.outputTokens),
    cache_read_input_tokens: new JsonInt(t.cacheReadInputTokens),
    cache_write_input_tokens: new JsonInt(t.cacheWriteInputTokens),
    metadata: metadataMap(t.metadata),
    created_at: rfc3339(t.createdAt),
  };
}

export function userPrompt(u: UserPromptRow) {
  return {
    id: u.id,
    interception_id: u.interceptionId,
    provider_response_id: u.providerResponseId,
    prompt: u.prompt,
    metadata: metadataMap(u.metadata),
    created_at: rfc3339(u.createdAt),
  };
}

/**
 * codersdk.AIBridgeToolUsage: server_url and invocation_error are plain strings ("" for NULL).
 * Both tool shapes spell their common head out: `{ ...head, more }` took 5 µs an object on
 * Node 20 (0.05 µs written out), 60% of shaping an interception for the NDJSON export.
 */
export function toolUsage(t: ToolUsageRow) {
  return {
    id: t.id,
    interception_id: t.interceptionId,
    provider_response_id: t.providerResponseId,
    server_url: t.serverUrl ?? '',
    tool: t.tool,
    input: t.input,
    injected: t.injected,
    invocation_error: t.invocationError ?? '',
    metadata: metadataMap(t.metadata),
    created_at: rfc3339(t.createdAt),
  };
}

/** codersdk.AIBridgeToolCall (session threads): the same head, injected before input, no invocation_error. */
export function toolCall(t: ToolUsageRow) {
  return {
    id: t.id,
    interception_id: t.interceptionId,
    provider_response_id: t.providerResponseId,
    server_url: t.serverUrl ?? '',
    tool: t.tool,
    injected: t.injected,
    input: t.input,
    metadata: metadataMap(t.metadata),
    created_at: rfc3339(t.createdAt),
  };
}

export function interception(
  i: InterceptionRow,
  initiator: UserRow | null,
  children: { tokenUsages: TokenUsageRow[]; userPrompts: UserPromptRow[]; toolUsages: ToolUsageRow[] },
) {
  return {
    id: i.id,
    api_key_id: i.apiKeyId,
    initiator: minimalUser(i.initiatorId, initiator),
    provider: i.provider,
    provider_name: i.providerName,
    model: i.model,
    client: i.client,
    metadata: metadataMap(i.metadata),
    started_at: rfc3339(i.startedAt),
    ended_at: rfc3339OrNull(i.endedAt),
    token_usages: children.tokenUsages.map(tokenUsage),
    user_prompts: children.userPrompts.map(userPrompt),
    tool_usages: children.toolUsages.map(toolUsage),
  };
}

/** codersdk.AIBridgeSessionTokenUsageSummary (session lists: no metadata). */
export function tokenSummary(t: TokenTotals) {
  return {
    input_tokens: new JsonInt(t.input),
    output_tokens: new JsonInt(t.output),
    cache_read_input_tokens: new JsonInt(t.cacheRead),
    cache_write_input_tokens: new JsonInt(t.cacheWrite),
  };
}

/** codersdk.AIBridgeSessionThreadsTokenUsage: the summary plus the aggregated metadata. */
export function tokenUsageWithMetadata(t: TokenTotals) {
  // fromEntries defines own properties, so even a `__proto__` key stays a plain key.
  const metadata = Object.fromEntries(Object.entries(t.metadata).map(([k, v]) => [k, new JsonInt(v)]));
  return { ...tokenSummary(t), metadata: new GoMap(metadata) };
}
