import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { call } from '../support/http.ts';
import { goJson, ID, seedScenario, type Scenario } from './scenario.ts';

let s: Scenario;

/** Expected JSON written out by hand from SPEC §4 and codersdk's struct order. */
const alice = () => ({ id: s.alice.id, username: 'alice', name: 'Alice A', avatar_url: 'https://example.com/a.png' });
const bob = () => ({ id: s.bob.id, username: 'Bob' });

const A5 = () => ({
  id: ID.A5, api_key_id: null, initiator: alice(), provider: 'openai', provider_name: '', model: 'gpt-5', client: null, metadata: null,
  started_at: '2026-04-02T09:00:00Z', ended_at: '2026-04-02T09:00:01Z', token_usages: [], user_prompts: [], tool_usages: [],
});
const B1 = () => ({
  id: ID.B1, api_key_id: null, initiator: bob(), provider: 'openai', provider_name: '', model: 'gpt-5', client: 'Unknown', metadata: {},
  started_at: '2026-04-01T11:00:00Z', ended_at: '2026-04-01T11:00:02Z',
  token_usages: [{
    id: ID.tokB1, interception_id: ID.B1, provider_response_id: 'resp_1', input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0,
    cache_write_input_tokens: 0, metadata: null, created_at: '2026-04-01T11:00:01Z',
  }],
  user_prompts: [{ id: ID.promptB1, interception_id: ID.B1, provider_response_id: 'resp_1', prompt: 'bob prompt', metadata: null, created_at: '2026-04-01T11:00:01Z' }],
  tool_usages: [],
});
const A3 = () => ({
  id: ID.A3, api_key_id: null, initiator: alice(), provider: 'openai', provider_name: '', model: 'gpt-5', client: 'claude-code', metadata: {},
  started_at: '2026-04-01T10:05:00Z', ended_at: '2026-04-01T10:05:02Z', token_usages: [],
  user_prompts: [{ id: ID.promptA3, interception_id: ID.A3, provider_response_id: 'resp_1', prompt: 'Second question', metadata: null, created_at: '2026-04-01T10:05:00.5Z' }],
  tool_usages: [],
});
const A2 = () => ({
  id: ID.A2, api_key_id: null, initiator: alice(), provider: 'anthropic', provider_name: '', model: 'claude-opus-4', client: 'claude-code', metadata: {},
  started_at: '2026-04-01T10:00:06Z', ended_at: '2026-04-01T10:00:09.000001Z',
  token_usages: [{
    id: ID.tokA2, interception_id: ID.A2, provider_response_id: 'msg_2', input_tokens: 50, output_tokens: 10, cache_read_input_tokens: 0,
    cache_write_input_tokens: 0, metadata: { cache: { ephemeral_5m_input_tokens: 4 }, ratio: 0.5 }, created_at: '2026-04-01T10:00:08.5Z',
  }],
  user_prompts: [],
  // server_url and invocation_error as stored; injected true.
  tool_usages: [{
    id: ID.toolA2, interception_id: ID.A2, provider_response_id: 'msg_2', server_url: 'https://mcp.example.com', tool: 'mcp_search', input: '{"q":"x"}',
    injected: true, invocation_error: 'boom', metadata: { k: 'v' }, created_at: '2026-04-01T10:00:08Z',
  }],
});
const A1 = () => ({
  id: ID.A1, api_key_id: 'key1', initiator: alice(), provider: 'anthropic', provider_name: 'anthropic-main', model: 'claude-sonnet-4-5',
  client: 'claude-code',
  // keys sorted at every depth (jsonb itself stores shorter keys first: b, zz, a_long)
  metadata: { a_long: { b: 2, y: '<b>&' }, b: [3, { c: 2, d: 1 }], zz: 1 },
  started_at: '2026-04-01T10:00:00.123456Z', ended_at: '2026-04-01T10:00:05Z',
  token_usages: [{
    id: ID.tokA1, interception_id: ID.A1, provider_response_id: 'msg_1', input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 5000000000,
    cache_write_input_tokens: 7, metadata: { cache: { ephemeral_5m_input_tokens: 3 }, service_tier: 'standard' }, created_at: '2026-04-01T10:00:04.5Z',
  }],
  user_prompts: [{ id: ID.promptA1, interception_id: ID.A1, provider_response_id: 'resp_1', prompt: 'Fix the bug', metadata: { source: 'cli' }, created_at: '2026-04-01T10:00:00.2Z' }],
  // NULL server_url / invocation_error are "".
  tool_usages: [{
    id: ID.toolA1, interception_id: ID.A1, provider_response_id: 'msg_1', server_url: '', tool: 'Read', input: '{"path":"a.go"}', injected: false,
    invocation_error: '', metadata: null, created_at: '2026-04-01T10:00:04Z',
  }],
});

const INVALID_QUERY = 'Invalid workspace search query.';

describeEachDb(
  'REST /interceptions',
  (ctx) => {
    const get = (path: string, token = s.owner.token) => call(createApp({ db: ctx().db }), path, { token });

    it('lists completed interceptions newest first, byte for byte as Coder writes them', async () => {
      const res = await get('/api/v2/aibridge/interceptions');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.text).toBe(goJson({ count: 5, results: [A5(), B1(), A3(), A2(), A1()] }));
      expect(res.text).toContain('"y":"\\u003cb\\u003e\\u0026"');
    });

    it('serves the legacy experimental path with the same handler', async () => {
      const res = await get('/api/experimental/aibridge/interceptions?limit=2');
      expect(res.status).toBe(200);
      expect(res.text).toBe(goJson({ count: 5, results: [A5(), B1()] }));
    });

    it('shows a member only the interceptions they initiated (lists and count)', async () => {
      const res = await get('/api/v2/aibridge/interceptions', s.alice.token);
      expect(res.text).toBe(goJson({ count: 4, results: [A5(), A3(), A2(), A1()] }));
      // To a member another user's name is unknown, as in Coder: no telling who has an account.
      const bobs = await get('/api/v2/aibridge/interceptions?q=initiator:alice', s.bob.token);
      expect(bobs.status).toBe(400);
      expect(bobs.text).toBe(goJson({
        message: 'Invalid workspace search query.',
        validations: [{ field: 'initiator', detail: 'Query param "initiator" has invalid value: user "alice" either does not exist, or you are unauthorized to view them' }],
      }));
      const own = await get('/api/v2/aibridge/interceptions?q=initiator:BOB', s.bob.token);
      expect(own.status).toBe(200);
    });

    it('lets an auditor read everything', async () => {
      const res = await get('/api/v2/aibridge/interceptions?limit=1', s.auditor.token);
      expect(res.body.count).toBe(5);
    });

    it('pages by after_id and by offset; count ignores both', async () => {
      const after = await get(`/api/v2/aibridge/interceptions?limit=2&after_id=${ID.B1}`);
      expect(after.text).toBe(goJson({ count: 5, results: [A3(), A2()] }));
      const offset = await get('/api/v2/aibridge/interceptions?limit=2&offset=3');
      expect(offset.text).toBe(goJson({ count: 5, results: [A2(), A1()] }));
      const upper = await get(`/api/v2/aibridge/interceptions?after_id=${ID.B1.toUpperCase()}&offset=0`);
      expect(upper.body.results.map((r: { id: string }) => r.id)).toEqual([ID.A3, ID.A2, ID.A1]);
    });

    it('filters by every q key (case-insensitive keys, quoted values, bare word as initiator, inclusive microsecond bounds)', async () => {
      const ids = async (q: string, token?: string) => {
        const res = await get(`/api/v2/aibridge/interceptions?q=${encodeURIComponent(q)}`, token);
        expect(res.status, res.text).toBe(200);
        expect(res.body.count).toBe(res.body.results.length);
        return res.body.results.map((r: { id: string }) => r.id);
      };
      expect(await ids('provider:anthropic')).toEqual([ID.A2, ID.A1]);
      expect(await ids('model:gpt-5 provider:openai')).toEqual([ID.A5, ID.B1, ID.A3]);
      expect(await ids('MODEL:"claude-opus-4"')).toEqual([ID.A2]);
      // Unknown matches NULL and 'Unknown' alike.
      expect(await ids('client:Unknown')).toEqual([ID.A5, ID.B1]);
      expect(await ids('client:claude-code')).toEqual([ID.A3, ID.A2, ID.A1]);
      expect(await ids('initiator:bob')).toEqual([ID.B1]);
      expect(await ids(`initiator:${s.bob.id}`)).toEqual([ID.B1]);
      expect(await ids('initiator:me', s.bob.token)).toEqual([ID.B1]);
      // A bare word is the initiator here.
      expect(await ids('ALICE')).toEqual([ID.A5, ID.A3, ID.A2, ID.A1]);
      // Inclusive bounds at microsecond precision; unquoted values may hold ':' (more lenient than Coder).
      expect(await ids('started_after:2026-04-01T10:00:00.123456Z started_before:2026-04-01T10:00:06Z')).toEqual([ID.A2, ID.A1]);
      expect(await ids('started_after:2026-04-01T10:00:00.123457Z started_before:"2026-04-01T10:00:06Z"')).toEqual([ID.A2]);
      expect(await ids('started_before:2026-04-01T12:00:06+02:00')).toEqual([ID.A2, ID.A1]);
      // An empty value is no filter (Coder's parser treats it as absent).
      expect(await ids('model:""')).toEqual([ID.A5, ID.B1, ID.A3, ID.A2, ID.A1]);
    });

    it('rejects bad q terms with every problem listed', async () => {
      const res = await get(`/api/v2/aibridge/interceptions?q=${encodeURIComponent('foo:bar initiator:nobody started_after:yesterday model:a Model:b')}`);
      expect(res.status).toBe(400);
      expect(res.text).toBe(goJson({
        message: INVALID_QUERY,
        validations: [
          { field: 'initiator', detail: 'Query param "initiator" has invalid value: user "nobody" either does not exist, or you are unauthorized to view them' },
          { field: 'model', detail: 'Query param "model" provided more than once, found 2 times. Only provide 1 instance of this query param.' },
          { field: 'started_after', detail: 'Query param "started_after" must be a valid date format (2006-01-02T15:04:05.999999999Z07:00): parsing time "YESTERDAY": not an RFC 3339 timestamp' },
          { field: 'foo', detail: '"foo" is not a valid query param' },
        ],
      }));
    });

    it('rejects q elements that start or end with ":" and reversed time bounds', async () => {
      const colon = await get(`/api/v2/aibridge/interceptions?q=${encodeURIComponent('model:x :gpt')}`);
      expect(colon.status).toBe(400);
      expect(colon.body).toEqual({ message: INVALID_QUERY, validations: [{ field: 'q', detail: 'Query element ":gpt" cannot start or end with \':\'' }] });
      const reversed = await get(`/api/v2/aibridge/interceptions?q=${encodeURIComponent('started_after:2026-04-01T10:00:00Z started_before:2026-04-01T10:00:00Z')}`);
      expect(reversed.status).toBe(400);
      expect(reversed.body).toEqual({
        message: INVALID_QUERY,
        validations: [{ field: 'started_before', detail: 'Query param "started_before" has invalid value: "started_before" must be after "started_after" if set' }],
      });
      const sessionKey = await get('/api/v2/aibridge/interceptions?q=session_id:x');
      expect(sessionKey.body.validations).toEqual([{ field: 'session_id', detail: '"session_id" is not a valid query param' }]);
    });

    it('reports all invalid pagination parameters together', async () => {
      const res = await get('/api/v2/aibridge/interceptions?limit=abc&offset=-1&after_id=nope');
      expect(res.status).toBe(400);
      expect(res.text).toBe(goJson({
        message: 'Query parameters have invalid values.',
        validations: [
          { field: 'after_id', detail: 'Query param "after_id" must be a valid uuid' },
          { field: 'limit', detail: 'Query param "limit" must be a valid 32-bit positive integer: strconv.ParseInt: parsing "abc": invalid syntax' },
          { field: 'offset', detail: 'Query param "offset" must be a valid 32-bit positive integer: value is negative' },
        ],
      }));
      const big = await get('/api/v2/aibridge/interceptions?offset=2147483648');
      expect(big.body.validations).toEqual([
        { field: 'offset', detail: 'Query param "offset" must be a valid 32-bit positive integer: strconv.ParseInt: parsing "2147483648": value out of range' },
      ]);
      const twice = await get('/api/v2/aibridge/interceptions?limit=5&limit=6&q=a&q=b');
      expect(twice.body).toEqual({
        message: 'Query parameters have invalid values.',
        validations: [
          { field: 'limit', detail: 'Query param "limit" provided more than once, found 2 times. Only provide 1 instance of this query param.' },
          { field: 'q', detail: 'Query param "q" provided more than once, found 2 times. Only provide 1 instance of this query param.' },
        ],
      });
    });

    it('applies the limit rules: 0 or empty means 100, above 1000 is refused', async () => {
      expect((await get('/api/v2/aibridge/interceptions?limit=0&offset=&after_id=')).body.results).toHaveLength(5);
      const res = await get('/api/v2/aibridge/interceptions?limit=1001');
      expect(res.status).toBe(400);
      expect(res.text).toBe(goJson({ message: 'Invalid pagination limit value.', detail: 'Pagination limit must be in range (0, 1000]' }));
      expect((await get('/api/v2/aibridge/interceptions?limit=1000')).status).toBe(200);
    });

    it('refuses a cursor with an offset, and unknown or invisible cursors', async () => {
      const both = await get(`/api/v2/aibridge/interceptions?after_id=${ID.A1}&offset=1`);
      expect(both.status).toBe(400);
      expect(both.text).toBe(goJson({ message: 'Query parameters have invalid values.', detail: 'Cannot use both after_id and offset pagination in the same request.' }));
      const unknown = await get('/api/v2/aibridge/interceptions?after_id=00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(400);
      expect(unknown.text).toBe(goJson({ message: 'Invalid pagination cursor.' }));
      // bob's interception does not exist for alice; an in-flight one does not exist for anyone.
      expect((await get(`/api/v2/aibridge/interceptions?after_id=${ID.B1}`, s.alice.token)).body).toEqual({ message: 'Invalid pagination cursor.' });
      expect((await get(`/api/v2/aibridge/interceptions?after_id=${ID.A4}`)).body).toEqual({ message: 'Invalid pagination cursor.' });
    });

    it('answers 401 without a token and 404 JSON for unknown paths', async () => {
      const anon = await call(createApp({ db: ctx().db }), '/api/v2/aibridge/interceptions');
      expect(anon.status).toBe(401);
      expect(anon.body.message).toBe('You are signed out or your session has expired. Please sign in again to continue.');
      for (const path of ['/api/v2/aibridge/nope', '/api/v2/aibridge/interceptions/extra', '/api/experimental/aibridge/sessions']) {
        const res = await get(path);
        expect(res.status, path).toBe(404);
        expect(res.body.message).toBe('Route not found.');
      }
    });
  },
  async ({ db }) => {
    s = await seedScenario(db);
  },
);
