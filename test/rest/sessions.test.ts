import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { call } from '../support/http.ts';
import { goJson, ID, seedScenario, type Scenario } from './scenario.ts';

let s: Scenario;

/** Expected JSON written out by hand from SPEC §4 (codersdk.AIBridgeSession field order). */
const alice = () => ({ id: s.alice.id, username: 'alice', name: 'Alice A', avatar_url: 'https://example.com/a.png' });
const A1_METADATA = { a_long: { b: 2, y: '<b>&' }, b: [3, { c: 2, d: 1 }], zz: 1 };

const sessionA5 = () => ({
  id: ID.A5, initiator: alice(), providers: ['openai'], models: ['gpt-5'], client: null, metadata: null,
  started_at: '2026-04-02T09:00:00Z', ended_at: '2026-04-02T09:00:01Z', threads: 1,
  token_usage_summary: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_write_input_tokens: 0 },
  // no prompt: last_prompt omitted, last_active_at = earliest started_at
  last_active_at: '2026-04-02T09:00:00Z',
});
const sessionBob = () => ({
  id: 'sess-bob', initiator: { id: s.bob.id, username: 'Bob' }, providers: ['openai'], models: ['gpt-5'], client: 'Unknown', metadata: {},
  started_at: '2026-04-01T11:00:00Z', ended_at: '2026-04-01T11:00:02Z', threads: 1,
  token_usage_summary: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 0, cache_write_input_tokens: 0 },
  last_prompt: 'bob prompt', last_active_at: '2026-04-01T11:00:01Z',
});
/** A1 → A2 and A3 (A4 is in flight and counts nowhere). */
const sessionAlice = () => ({
  id: 'sess-alice-1', initiator: alice(), providers: ['anthropic', 'openai'], models: ['claude-opus-4', 'claude-sonnet-4-5', 'gpt-5'],
  client: 'claude-code', metadata: A1_METADATA,
  started_at: '2026-04-01T10:00:00.123456Z', ended_at: '2026-04-01T10:05:02Z', threads: 2,
  token_usage_summary: { input_tokens: 150, output_tokens: 30, cache_read_input_tokens: 5000000000, cache_write_input_tokens: 7 },
  last_prompt: 'Second question', last_active_at: '2026-04-01T10:05:00.5Z',
});

describeEachDb(
  'REST /sessions',
  (ctx) => {
    const get = (path: string, token = s.owner.token) => call(createApp({ db: ctx().db }), path, { token });

    it('groups completed interceptions into sessions ordered by last activity', async () => {
      const res = await get('/api/v2/aibridge/sessions');
      expect(res.status).toBe(200);
      expect(res.text).toBe(goJson({ count: 3, sessions: [sessionA5(), sessionBob(), sessionAlice()] }));
    });

    it('computes started/ended/threads/last activity from the filtered rows, the rest from the whole group', async () => {
      const res = await get(`/api/v2/aibridge/sessions?q=${encodeURIComponent('model:claude-opus-4')}`);
      expect(res.text).toBe(goJson({
        count: 1,
        sessions: [{
          ...sessionAlice(),
          // only A2 matches: not a root, no prompt of its own
          started_at: '2026-04-01T10:00:06Z', ended_at: '2026-04-01T10:00:09.000001Z', threads: 0, last_active_at: '2026-04-01T10:00:06Z',
        }],
      }));
    });

    it('filters by session_id, client and initiator', async () => {
      const ids = async (q: string, token?: string) =>
        (await get(`/api/v2/aibridge/sessions?q=${encodeURIComponent(q)}`, token)).body.sessions.map((x: { id: string }) => x.id);
      expect(await ids('session_id:sess-bob')).toEqual(['sess-bob']);
      expect(await ids('client:Unknown')).toEqual([ID.A5, 'sess-bob']);
      expect(await ids('initiator:alice provider:anthropic')).toEqual(['sess-alice-1']);
      expect(await ids('initiator:me', s.bob.token)).toEqual(['sess-bob']);
    });

    it('pages by after_session_id and offset; count ignores both', async () => {
      const after = await get('/api/v2/aibridge/sessions?after_session_id=sess-bob');
      expect(after.text).toBe(goJson({ count: 3, sessions: [sessionAlice()] }));
      const offset = await get('/api/v2/aibridge/sessions?limit=1&offset=1');
      expect(offset.text).toBe(goJson({ count: 3, sessions: [sessionBob()] }));
    });

    it('shows a member only their own sessions', async () => {
      const res = await get('/api/v2/aibridge/sessions', s.alice.token);
      expect(res.text).toBe(goJson({ count: 2, sessions: [sessionA5(), sessionAlice()] }));
      const cursor = await get('/api/v2/aibridge/sessions?after_session_id=sess-bob', s.alice.token);
      expect(cursor.status).toBe(400);
      expect(cursor.text).toBe(goJson({ message: 'Query parameter has invalid value.', detail: 'after_session_id: session "sess-bob" not found' }));
    });

    it('rejects a bare word, bad keys, unknown cursors and cursor with offset', async () => {
      const bare = await get('/api/v2/aibridge/sessions?q=alice');
      expect(bare.status).toBe(400);
      expect(bare.text).toBe(goJson({ message: 'Invalid session search query.', validations: [{ field: 'q', detail: 'no search key specified' }] }));
      const key = await get('/api/v2/aibridge/sessions?q=foo:1');
      expect(key.body).toEqual({ message: 'Invalid session search query.', validations: [{ field: 'foo', detail: '"foo" is not a valid query param' }] });
      const unknown = await get('/api/v2/aibridge/sessions?after_session_id=nope');
      expect(unknown.text).toBe(goJson({ message: 'Query parameter has invalid value.', detail: 'after_session_id: session "nope" not found' }));
      const both = await get('/api/v2/aibridge/sessions?after_session_id=sess-bob&offset=2');
      expect(both.text).toBe(goJson({ message: 'Query parameters have invalid values.', detail: 'Cannot use both after_session_id and offset pagination in the same request.' }));
      const limit = await get('/api/v2/aibridge/sessions?limit=1001');
      expect(limit.text).toBe(goJson({ message: 'Invalid pagination limit value.', detail: 'Pagination limit must be in range (0, 1000]' }));
      const bad = await get('/api/v2/aibridge/sessions?limit=x');
      expect(bad.body.validations).toEqual([{ field: 'limit', detail: 'Query param "limit" must be a valid 32-bit positive integer: strconv.ParseInt: parsing "x": invalid syntax' }]);
    });

    it('rejects a malformed after_id with the validation /interceptions gives, though it pages by after_session_id', async () => {
      const expected = goJson({ message: 'Query parameters have invalid values.', validations: [{ field: 'after_id', detail: 'Query param "after_id" must be a valid uuid' }] });
      const sessions = await get('/api/v2/aibridge/sessions?after_id=nope');
      expect(sessions.status).toBe(400);
      expect(sessions.text).toBe(expected);
      expect((await get('/api/v2/aibridge/interceptions?after_id=nope')).text).toBe(expected);
      // Reported with the other parameter problems, the shared pagination parameters first.
      const all = await get('/api/v2/aibridge/sessions?after_session_id=a&after_session_id=b&limit=x&after_id=nope');
      expect(all.body.validations.map((v: { field: string }) => v.field)).toEqual(['after_id', 'limit', 'after_session_id']);
      // A well-formed after_id is read and left unused: sessions page by after_session_id.
      const valid = await get(`/api/v2/aibridge/sessions?after_id=${ID.A1}&offset=1`);
      expect(valid.text).toBe((await get('/api/v2/aibridge/sessions?offset=1')).text);
    });
  },
  async ({ db }) => {
    s = await seedScenario(db);
  },
);
