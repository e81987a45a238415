import { named, type Statement } from '../../src/db/sql.ts';
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../src/db/db.ts';
import { createToken, createUser, type NewUser } from '../../src/db/users.ts';

/** Creates a user and a token for them. */
export async function addUser(db: Queryable, u: Partial<NewUser> & { username: string }) {
  const id = await createUser(db, { role: 'member', ...u });
  const token = u.deleted ? '' : await createToken(db, u.username);
  return { id, token, username: u.username };
}

export interface InterceptionFixture {
  id?: string;
  initiatorId: string;
  provider?: string;
  providerName?: string;
  model?: string;
  /** RFC 3339 or PostgreSQL timestamp text; microseconds are kept. */
  startedAt: string;
  endedAt?: string | null;
  metadata?: unknown;
  apiKeyId?: string | null;
  client?: string | null;
  threadParentId?: string | null;
  threadRootId?: string | null;
  clientSessionId?: string | null;
  credentialKind?: 'centralized' | 'byok';
  credentialHint?: string;
}

export async function addInterception(db: Queryable, f: InterceptionFixture): Promise<string> {
  const id = f.id ?? randomUUID();
  await db.query(named('test')`INSERT INTO aibridge_interceptions (id, initiator_id, provider, provider_name, model, started_at, ended_at, metadata,
       api_key_id, client, thread_parent_id, thread_root_id, client_session_id, credential_kind, credential_hint)
     VALUES (${id}, ${f.initiatorId}, ${f.provider ?? 'anthropic'}, ${f.providerName ?? ''}, ${f.model ?? 'claude-sonnet-4-5'}, ${f.startedAt}, ${f.endedAt === undefined ? f.startedAt : f.endedAt}, ${f.metadata === undefined ? '{}' : JSON.stringify(f.metadata)}, ${f.apiKeyId ?? null}, ${f.client === undefined ? 'Unknown' : f.client}, ${f.threadParentId ?? null}, ${f.threadRootId ?? null}, ${f.clientSessionId ?? null}, ${f.credentialKind ?? 'centralized'}::credential_kind, ${f.credentialHint ?? ''})`);
  return id;
}

export async function addTokenUsage(db: Queryable, f: {
  interceptionId: string; input?: number | string; output?: number | string; cacheRead?: number | string; cacheWrite?: number | string;
  metadata?: unknown; createdAt: string; providerResponseId?: string; id?: string;
}): Promise<string> {
  const id = f.id ?? randomUUID();
  await db.query(named('test')`INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens, output_tokens,
       cache_read_input_tokens, cache_write_input_tokens, metadata, created_at) VALUES (${id},${f.interceptionId},${f.providerResponseId ?? 'resp_1'},${String(f.input ?? 0)},${String(f.output ?? 0)},${String(f.cacheRead ?? 0)},${String(f.cacheWrite ?? 0)},${f.metadata === undefined ? null : JSON.stringify(f.metadata)},${f.createdAt})`);
  return id;
}

export async function addToolUsage(db: Queryable, f: {
  interceptionId: string; tool: string; input?: string; injected?: boolean; serverUrl?: string | null; invocationError?: string | null;
  metadata?: unknown; createdAt: string; providerResponseId?: string; providerToolCallId?: string | null; id?: string;
}): Promise<string> {
  const id = f.id ?? randomUUID();
  await db.query(named('test')`INSERT INTO aibridge_tool_usages (id, interception_id, provider_response_id, provider_tool_call_id, tool, server_url, input,
       injected, invocation_error, metadata, created_at) VALUES (${id},${f.interceptionId},${f.providerResponseId ?? 'resp_1'},${f.providerToolCallId ?? null},${f.tool},${f.serverUrl ?? null},${f.input ?? '{}'},${f.injected ?? false},${f.invocationError ?? null},${f.metadata === undefined ? null : JSON.stringify(f.metadata)},${f.createdAt})`);
  return id;
}

export async function addPrompt(db: Queryable, f: { interceptionId: string; prompt: string; createdAt: string; metadata?: unknown; id?: string }) {
  const id = f.id ?? randomUUID();
  await db.query(named('test')`INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, metadata, created_at) VALUES (${id},${f.interceptionId},'resp_1',${f.prompt},${f.metadata === undefined ? null : JSON.stringify(f.metadata)},${f.createdAt})`);
  return id;
}

export async function addThought(db: Queryable, f: { interceptionId: string; content: string; createdAt: string; metadata?: unknown }) {
  await db.query(named('test')`INSERT INTO aibridge_model_thoughts (interception_id, content, metadata, created_at) VALUES (${f.interceptionId},${f.content},${f.metadata === undefined ? null : JSON.stringify(f.metadata)},${f.createdAt})`);
}

/**
 * The SQL statements `fn` sends through `db`: their texts, and their names (the `named` tag's
 * comment) sorted, since batched loads may send them in any order.
 */
export async function countStatements<T>(db: { onStatement?: (statement: Statement) => void }, fn: () => Promise<T>) {
  const sent: Statement[] = [];
  const previous = db.onStatement;
  db.onStatement = (s) => sent.push(s);
  try {
    const result = await fn();
    return { result, statements: sent.map((s) => s.text), names: sent.map((s) => s.name).sort() };
  } finally {
    db.onStatement = previous;
  }
}
