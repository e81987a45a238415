import type { Queryable } from '../../src/db/db.ts';
import { addInterception, addPrompt, addThought, addTokenUsage, addToolUsage, addUser } from '../support/fixtures.ts';

/**
 * A small, hand-checkable data set for the golden REST tests: every id and timestamp fixed so
 * the expected JSON in the tests can be written out in full and checked against SPEC by eye.
 *
 * alice (member): session `sess-alice-1` = thread A1 (root) → A2 (child, tool call), thread A3,
 *   and in-flight A4 (never shown); session A5 (no client session id, no prompt, client NULL).
 * bob (member): session `sess-bob` = B1.
 */
export const ID = {
  A1: 'a1000000-0000-4000-8000-000000000001',
  A2: 'a2000000-0000-4000-8000-000000000002',
  A3: 'a3000000-0000-4000-8000-000000000003',
  A4: 'a4000000-0000-4000-8000-000000000004',
  A5: 'a5000000-0000-4000-8000-000000000005',
  B1: 'b1000000-0000-4000-8000-000000000001',
  tokA1: 'c1000000-0000-4000-8000-000000000001',
  tokA2: 'c2000000-0000-4000-8000-000000000002',
  tokB1: 'c3000000-0000-4000-8000-000000000003',
  toolA1: 'd1000000-0000-4000-8000-000000000001',
  toolA2: 'd2000000-0000-4000-8000-000000000002',
  promptA1: 'e1000000-0000-4000-8000-000000000001',
  promptA3: 'e3000000-0000-4000-8000-000000000003',
  promptB1: 'eb000000-0000-4000-8000-000000000001',
} as const;

export interface Scenario {
  owner: { id: string; token: string };
  auditor: { id: string; token: string };
  alice: { id: string; token: string };
  bob: { id: string; token: string };
}

export async function seedScenario(db: Queryable): Promise<Scenario> {
  const owner = await addUser(db, { username: 'root', role: 'owner', name: 'Root Admin' });
  const auditor = await addUser(db, { username: 'audit', role: 'auditor' });
  const alice = await addUser(db, { username: 'alice', role: 'member', name: 'Alice A', avatarUrl: 'https://example.com/a.png' });
  const bob = await addUser(db, { username: 'Bob', role: 'member' });

  await addInterception(db, {
    id: ID.A1, initiatorId: alice.id, provider: 'anthropic', providerName: 'anthropic-main', model: 'claude-sonnet-4-5',
    startedAt: '2026-04-01T10:00:00.123456Z', endedAt: '2026-04-01T10:00:05Z', client: 'claude-code',
    clientSessionId: 'sess-alice-1', apiKeyId: 'key1', credentialHint: 'sk-a...efgh',
    metadata: { zz: 1, a_long: { y: '<b>&', b: 2 }, b: [3, { d: 1, c: 2 }] },
  });
  await addTokenUsage(db, {
    id: ID.tokA1, interceptionId: ID.A1, providerResponseId: 'msg_1', input: 100, output: 20, cacheRead: '5000000000', cacheWrite: 7,
    metadata: { cache: { ephemeral_5m_input_tokens: 3 }, service_tier: 'standard' }, createdAt: '2026-04-01T10:00:04.5Z',
  });
  await addPrompt(db, { id: ID.promptA1, interceptionId: ID.A1, prompt: 'Fix the bug', createdAt: '2026-04-01T10:00:00.2Z', metadata: { source: 'cli' } });
  await addToolUsage(db, {
    id: ID.toolA1, interceptionId: ID.A1, providerResponseId: 'msg_1', tool: 'Read', input: '{"path":"a.go"}', createdAt: '2026-04-01T10:00:04Z',
  });
  await addThought(db, { interceptionId: ID.A1, content: 'Let me read the file', createdAt: '2026-04-01T10:00:03Z' });

  await addInterception(db, {
    id: ID.A2, initiatorId: alice.id, provider: 'anthropic', model: 'claude-opus-4', startedAt: '2026-04-01T10:00:06Z',
    endedAt: '2026-04-01T10:00:09.000001Z', client: 'claude-code', clientSessionId: 'sess-alice-1', threadParentId: ID.A1, threadRootId: ID.A1,
  });
  await addTokenUsage(db, {
    id: ID.tokA2, interceptionId: ID.A2, providerResponseId: 'msg_2', input: 50, output: 10,
    metadata: { cache: { ephemeral_5m_input_tokens: 4 }, ratio: 0.5 }, createdAt: '2026-04-01T10:00:08.5Z',
  });
  await addToolUsage(db, {
    id: ID.toolA2, interceptionId: ID.A2, providerResponseId: 'msg_2', tool: 'mcp_search', input: '{"q":"x"}', injected: true,
    serverUrl: 'https://mcp.example.com', invocationError: 'boom', metadata: { k: 'v' }, createdAt: '2026-04-01T10:00:08Z',
  });
  await addThought(db, { interceptionId: ID.A2, content: 'Search the docs', createdAt: '2026-04-01T10:00:07Z' });

  await addInterception(db, {
    id: ID.A3, initiatorId: alice.id, provider: 'openai', model: 'gpt-5', startedAt: '2026-04-01T10:05:00Z', endedAt: '2026-04-01T10:05:02Z',
    client: 'claude-code', clientSessionId: 'sess-alice-1', credentialKind: 'byok', credentialHint: 'plainkey',
  });
  await addPrompt(db, { id: ID.promptA3, interceptionId: ID.A3, prompt: 'Second question', createdAt: '2026-04-01T10:05:00.5Z' });

  await addInterception(db, {
    id: ID.A4, initiatorId: alice.id, model: 'in-flight-model', startedAt: '2026-04-01T10:06:00Z', endedAt: null, clientSessionId: 'sess-alice-1',
  });
  await addInterception(db, {
    id: ID.A5, initiatorId: alice.id, provider: 'openai', model: 'gpt-5', startedAt: '2026-04-02T09:00:00Z', endedAt: '2026-04-02T09:00:01Z',
    client: null, metadata: null,
  });

  await addInterception(db, {
    id: ID.B1, initiatorId: bob.id, provider: 'openai', model: 'gpt-5', startedAt: '2026-04-01T11:00:00Z', endedAt: '2026-04-01T11:00:02Z',
    client: 'Unknown', clientSessionId: 'sess-bob',
  });
  await addTokenUsage(db, { id: ID.tokB1, interceptionId: ID.B1, input: 1, output: 2, createdAt: '2026-04-01T11:00:01Z' });
  await addPrompt(db, { id: ID.promptB1, interceptionId: ID.B1, prompt: 'bob prompt', createdAt: '2026-04-01T11:00:01Z' });

  return { owner, auditor, alice, bob };
}

/** The bytes Coder's Go encoder writes for `value` (HTML-safe escaping, trailing newline). */
export function goJson(value: unknown): string {
  return `${JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}\n`;
}
