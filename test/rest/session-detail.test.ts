import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { countStatements } from '../support/fixtures.ts';
import { call } from '../support/http.ts';
import { goJson, ID, seedScenario, type Scenario } from './scenario.ts';

let s: Scenario;

/** Expected JSON written out by hand from SPEC §4 (codersdk.AIBridgeSessionThreadsResponse order). */
const alice = () => ({ id: s.alice.id, username: 'alice', name: 'Alice A', avatar_url: 'https://example.com/a.png' });
const usage = (input: number, output: number, cacheRead: number, cacheWrite: number, metadata: Record<string, number>) => ({
  input_tokens: input, output_tokens: output, cache_read_input_tokens: cacheRead, cache_write_input_tokens: cacheWrite, metadata,
});

/** Thread A1 (root A1 + child A2): both made tool calls, so both are agentic actions. */
const threadA1 = () => ({
  id: ID.A1, prompt: 'Fix the bug', model: 'claude-sonnet-4-5', provider: 'anthropic', credential_kind: 'centralized', credential_hint: 'sk-a...efgh',
  started_at: '2026-04-01T10:00:00.123456Z', ended_at: '2026-04-01T10:00:09.000001Z',
  // metadata: nested keys flattened, integer leaves summed (3 + 4); the string and 0.5 skipped
  token_usage: usage(150, 30, 5000000000, 7, { 'cache.ephemeral_5m_input_tokens': 7 }),
  agentic_actions: [
    {
      model: 'claude-sonnet-4-5',
      token_usage: usage(100, 20, 5000000000, 7, { 'cache.ephemeral_5m_input_tokens': 3 }),
      thinking: [{ text: 'Let me read the file' }],
      tool_calls: [{
        id: ID.toolA1, interception_id: ID.A1, provider_response_id: 'msg_1', server_url: '', tool: 'Read', injected: false,
        input: '{"path":"a.go"}', metadata: null, created_at: '2026-04-01T10:00:04Z',
      }],
    },
    {
      model: 'claude-opus-4',
      token_usage: usage(50, 10, 0, 0, { 'cache.ephemeral_5m_input_tokens': 4 }),
      thinking: [{ text: 'Search the docs' }],
      tool_calls: [{
        id: ID.toolA2, interception_id: ID.A2, provider_response_id: 'msg_2', server_url: 'https://mcp.example.com', tool: 'mcp_search',
        injected: true, input: '{"q":"x"}', metadata: { k: 'v' }, created_at: '2026-04-01T10:00:08Z',
      }],
    },
  ],
});
/** Thread A3: byok with an unmasked hint (shown as "..."), no tool calls, no usage. */
const threadA3 = () => ({
  id: ID.A3, prompt: 'Second question', model: 'gpt-5', provider: 'openai', credential_kind: 'byok', credential_hint: '...',
  started_at: '2026-04-01T10:05:00Z', ended_at: '2026-04-01T10:05:02Z', token_usage: usage(0, 0, 0, 0, {}), agentic_actions: [],
});
const detail = (threads: object[], page: { page_started_at?: string; page_ended_at?: string }) => ({
  id: 'sess-alice-1', initiator: alice(), providers: ['anthropic', 'openai'], models: ['claude-opus-4', 'claude-sonnet-4-5', 'gpt-5'],
  client: 'claude-code', metadata: { a_long: { b: 2, y: '<b>&' }, b: [3, { c: 2, d: 1 }], zz: 1 },
  ...page,
  started_at: '2026-04-01T10:00:00.123456Z', ended_at: '2026-04-01T10:05:02Z',
  // the whole session, whatever the page holds
  token_usage_summary: usage(150, 30, 5000000000, 7, { 'cache.ephemeral_5m_input_tokens': 7 }),
  threads,
});

describeEachDb(
  'REST /sessions/{session_id}',
  (ctx) => {
    const get = (path: string, token = s.owner.token) => call(createApp({ db: ctx().db }), path, { token });
    const path = (id: string, query = '') => `/api/v2/aibridge/sessions/${encodeURIComponent(id)}${query}`;

    it('returns the session with its threads, agentic actions and aggregated token usage', async () => {
      const res = await get(path('sess-alice-1'));
      expect(res.status).toBe(200);
      expect(res.text).toBe(goJson(detail([threadA1(), threadA3()], { page_started_at: '2026-04-01T10:00:00.123456Z', page_ended_at: '2026-04-01T10:05:02Z' })));
    });

    it('reads a session detail in at most 6 SQL statements, named, however many threads the page holds', async () => {
      const db = ctx().db;
      // One app, warmed: its schema probe reads the catalog once, on its first request.
      const app = createApp({ db });
      const get = (p: string) => call(app, p, { token: s.owner.token });
      await get(path('sess-alice-1'));
      // The firewall statement runs only where the database has Coder's firewall data (current generation).
      const base = (names: string[]) => names.filter((n) => n !== 'networkCalls.ofSession');
      const small = await countStatements(db, () => get(path('sess-alice-1', '?limit=1')));
      const large = await countStatements(db, () => get(path('sess-alice-1', '?limit=200')));
      expect(small.result.body.threads).toHaveLength(1);
      expect(large.result.body.threads).toHaveLength(2);
      expect(large.names).toEqual(small.names);
      expect(base(large.names)).toEqual(['auth.apiKey', 'sessions.detailHead', 'threads.agenticActions', 'threads.page']);
      expect(large.names.length).toBeLessThanOrEqual(6);
      // A cursor adds the statement that finds its position.
      const paged = await countStatements(db, () => get(path('sess-alice-1', `?before_id=${ID.A3}`)));
      expect(paged.result.body.threads.map((t: { id: string }) => t.id)).toEqual([ID.A1]);
      expect(base(paged.names)).toEqual(['auth.apiKey', 'sessions.detailHead', 'threads.agenticActions', 'threads.page', 'threads.position']);
      expect(paged.names.length).toBeLessThanOrEqual(6);
    });

    it('resolves the UUID of any interception of the session, not only roots', async () => {
      const whole = (await get(path('sess-alice-1'))).text;
      for (const id of [ID.A1, ID.A2, ID.A3, ID.A3.toUpperCase()]) expect((await get(path(id))).text, id).toBe(whole);
      const own = await get(path(ID.A5));
      expect(own.status).toBe(200);
      expect(own.body.id).toBe(ID.A5);
      expect(own.body.client).toBeUndefined();
      expect(own.text).not.toContain('"client"');
    });

    it('pages threads with after_id and before_id; the summary still covers every thread', async () => {
      expect((await get(path('sess-alice-1', '?limit=1'))).text).toBe(goJson(detail([threadA1()], {
        page_started_at: '2026-04-01T10:00:00.123456Z', page_ended_at: '2026-04-01T10:00:09.000001Z',
      })));
      const next = goJson(detail([threadA3()], { page_started_at: '2026-04-01T10:05:00Z', page_ended_at: '2026-04-01T10:05:02Z' }));
      expect((await get(path('sess-alice-1', `?limit=1&after_id=${ID.A1}`))).text).toBe(next);
      // a cursor may be any interception of the session: A2 stands for its thread A1
      expect((await get(path('sess-alice-1', `?limit=1&after_id=${ID.A2}`))).text).toBe(next);
      expect((await get(path('sess-alice-1', `?before_id=${ID.A3}`))).body.threads.map((t: { id: string }) => t.id)).toEqual([ID.A1]);
      // an empty page omits page_started_at / page_ended_at
      expect((await get(path('sess-alice-1', `?after_id=${ID.A3}`))).text).toBe(goJson(detail([], {})));
    });

    it('answers 404 for unknown, invisible and in-flight-only sessions', async () => {
      for (const [id, token] of [['nope', s.owner.token], ['sess-bob', s.alice.token], [ID.B1, s.alice.token], [ID.A4, s.owner.token]] as const) {
        const res = await get(path(id), token);
        expect(res.status, id).toBe(404);
        expect(res.text).toBe(goJson({ message: 'Session not found.' }));
      }
      expect((await get(path('sess-bob'), s.bob.token)).status).toBe(200);
      expect((await get(path('sess-bob'), s.auditor.token)).status).toBe(200);
    });

    it('rejects bad limits and cursors', async () => {
      for (const limit of ['0', '201', 'abc', '-1', '1.5']) {
        const res = await get(path('sess-alice-1', `?limit=${limit}`));
        expect(res.status, limit).toBe(400);
        expect(res.text).toBe(goJson({ message: 'Invalid limit query parameter.' }));
      }
      expect((await get(path('sess-alice-1', '?limit=200'))).status).toBe(200);
      for (const q of [`?after_id=${ID.B1}`, `?before_id=${ID.A5}`, '?after_id=not-a-uuid', `?after_id=${ID.A4}`]) {
        const res = await get(path('sess-alice-1', q));
        expect(res.status, q).toBe(400);
        expect(res.text).toBe(goJson({ message: 'Invalid pagination cursor.' }));
      }
      const both = await get(path('sess-alice-1', `?after_id=${ID.A1}&before_id=${ID.A3}`));
      expect(both.status).toBe(400);
      expect(both.text).toBe(goJson({ message: 'Query parameters have invalid values.', detail: 'Cannot use both after_id and before_id in the same request.' }));
    });
  },
  async ({ db }) => {
    s = await seedScenario(db);
  },
);
