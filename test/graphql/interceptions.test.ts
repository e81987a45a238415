import { named } from '../../src/db/sql.ts';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addPrompt, addThought, addTokenUsage, addToolUsage, addUser, countStatements } from '../support/fixtures.ts';
import { client } from './client.ts';
import { graphql } from './generated/index.ts';
import type { InterceptionsPageQuery } from './generated/graphql.ts';

let owner: { id: string; token: string };
let alice: { id: string; token: string };
let bob: { id: string; token: string };
/** Alice's 12 completed interceptions, newest first. */
const aliceIds: string[] = [];
let bigId = '';
let inFlightId = '';

const InterceptionsPage = graphql(`
  query InterceptionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {
    interceptions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      edges { cursor node { uuid } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

const InterceptionsCount = graphql(`
  query InterceptionsCount($filter: InterceptionFilter) {
    interceptions(first: 1, filter: $filter) { totalCount edges { node { uuid } } }
  }
`);

const InterceptionDetail = graphql(`
  query InterceptionDetail($id: UUID!) {
    interception(id: $id) {
      id uuid provider providerName model client metadata startedAt endedAt durationMs apiKeyId credentialKind credentialHint sessionId
      initiator { uuid username }
      tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }
      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }
      toolUsages { tool input injected serverUrl invocationError }
      userPrompts { prompt createdAt }
      modelThoughts { content }
      threadRoot { uuid }
      threadParent { uuid }
      session { sessionId threadCount }
    }
  }
`);

describeEachDb(
  'GraphQL interceptions',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    it('pages forward with keyset cursors, newest first, and back again with last/before', async () => {
      const c = client(app(), alice.token);
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: InterceptionsPageQuery['interceptions'] = (await c.request(InterceptionsPage, { first: 5, after })).interceptions;
        seen.push(...page.edges.map((e) => e.node.uuid));
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor!;
      }
      expect(seen).toEqual(aliceIds);

      // Backwards from the end: the last 5, then the 5 before them, each page in list order.
      const tail = (await c.request(InterceptionsPage, { last: 5 })).interceptions;
      expect(tail.edges.map((e) => e.node.uuid)).toEqual(aliceIds.slice(7));
      expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
      const before = (await c.request(InterceptionsPage, { last: 5, before: tail.pageInfo.startCursor })).interceptions;
      expect(before.edges.map((e) => e.node.uuid)).toEqual(aliceIds.slice(2, 7));
      expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
      const head = (await c.request(InterceptionsPage, { last: 5, before: before.pageInfo.startCursor })).interceptions;
      expect(head.edges.map((e) => e.node.uuid)).toEqual(aliceIds.slice(0, 2));
      expect(head.pageInfo.hasPreviousPage).toBe(false);
    });

    it('counts only when totalCount is selected, and counts what the filter matches', async () => {
      const c = client(app(), alice.token);
      const db = ctx().db;
      const withCount = await countStatements(db, () => c.request(InterceptionsCount, {}));
      expect(withCount.result.interceptions.totalCount).toBe(12);
      expect(withCount.statements.some((s) => /count\(\*\)/i.test(s))).toBe(true);
      const without = await countStatements(db, () => c.request(InterceptionsPage, { first: 1 }));
      expect(without.statements.some((s) => /count\(\*\)/i.test(s))).toBe(false);

      expect((await c.request(InterceptionsCount, { filter: { model: 'gpt-5' } })).interceptions.totalCount).toBe(5);
      expect((await c.request(InterceptionsCount, { filter: { client: 'Unknown' } })).interceptions.totalCount).toBe(6);
      expect((await c.request(InterceptionsCount, { filter: { includeInFlight: true } })).interceptions.totalCount).toBe(13);
      expect((await c.request(InterceptionsCount, { filter: { startedAfter: '2026-03-01T10:05:00Z', startedBefore: '2026-03-01T10:07:00Z' } })).interceptions.totalCount).toBe(3);
    });

    it('shows members only their own interceptions; owners see all; initiator filter by username or me', async () => {
      expect((await client(app(), bob.token).request(InterceptionsCount, {})).interceptions.totalCount).toBe(1);
      const o = client(app(), owner.token);
      expect((await o.request(InterceptionsCount, {})).interceptions.totalCount).toBe(13);
      expect((await o.request(InterceptionsCount, { filter: { initiator: 'ALICE' } })).interceptions.totalCount).toBe(12);
      expect((await o.request(InterceptionsCount, { filter: { initiator: 'me' } })).interceptions.totalCount).toBe(0);
      // Another user's name is unknown to a member (no account probing); their own resolves.
      await expect(client(app(), bob.token).request(InterceptionsCount, { filter: { initiator: 'alice' } })).rejects.toThrow(/either does not exist, or you are unauthorized/);
      expect((await client(app(), bob.token).request(InterceptionsCount, { filter: { initiator: 'Bob' } })).interceptions.totalCount).toBe(1);
      expect((await client(app(), bob.token).request(InterceptionDetail, { id: aliceIds[0] })).interception).toBeNull();
    });

    it('returns every field with children, exact sums above 2^31 and microsecond timestamps', async () => {
      const { interception: i } = await client(app(), alice.token).request(InterceptionDetail, { id: bigId });
      expect(i).toMatchObject({
        uuid: bigId,
        provider: 'openai',
        providerName: 'openai-prod',
        model: 'gpt-5',
        client: 'codex',
        metadata: { effort: 'high' },
        startedAt: '2026-03-01T10:11:00.123456Z',
        endedAt: '2026-03-01T10:11:02.5Z',
        durationMs: 2377,
        apiKeyId: 'key1234567',
        credentialKind: 'BYOK',
        credentialHint: 'sk-a...efgh',
        sessionId: 'sess-big',
        initiator: { uuid: alice.id, username: 'alice' },
        threadRoot: null,
        threadParent: null,
        session: { sessionId: 'sess-big', threadCount: 1 },
      });
      expect(i!.tokenUsages.map((u) => u.inputTokens)).toEqual([3_000_000_000, 4_000_000_000]);
      expect(i!.tokenUsageSummary).toEqual({
        inputTokens: 7_000_000_000,
        outputTokens: 2_147_483_650,
        cacheReadInputTokens: 5,
        cacheWriteInputTokens: 0,
        metadata: { 'cache.ephemeral_5m_input_tokens': 4_294_967_296 },
      });
      expect(i!.toolUsages).toEqual([{ tool: 'shell', input: '{"cmd":"ls"}', injected: true, serverUrl: 'http://mcp', invocationError: null }]);
      expect(i!.userPrompts).toEqual([{ prompt: 'list files', createdAt: '2026-03-01T10:11:00.200001Z' }]);
      expect(i!.modelThoughts).toEqual([{ content: 'need ls' }]);
    });

    it('shows in-flight interceptions by UUID and only on request in lists', async () => {
      const c = client(app(), alice.token);
      const { interception } = await c.request(InterceptionDetail, { id: inFlightId });
      expect(interception).toMatchObject({ endedAt: null, durationMs: null, session: null });
      const listed = await c.request(InterceptionsPage, { first: 1, filter: { includeInFlight: true } });
      expect(listed.interceptions.edges[0].node.uuid).toBe(inFlightId);
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
    alice = await addUser(db, { username: 'alice' });
    bob = await addUser(db, { username: 'bob' });
    aliceIds.length = 0;
    for (let n = 11; n >= 0; n--) {
      const minute = String(n).padStart(2, '0');
      const id = await addInterception(db, {
        initiatorId: alice.id,
        startedAt: `2026-03-01T10:${minute}:00Z`,
        model: n % 3 === 0 ? 'gpt-5' : 'claude',
        client: n % 2 === 0 ? null : 'claude-code',
      });
      aliceIds.push(id);
    }
    // The newest of alice's: the one with everything set and big numbers.
    bigId = await addInterception(db, {
      initiatorId: alice.id, provider: 'openai', providerName: 'openai-prod', model: 'gpt-5', client: 'codex',
      metadata: { effort: 'high' }, startedAt: '2026-03-01 10:11:00.123456+00', endedAt: '2026-03-01T10:11:02.5Z',
      apiKeyId: 'key1234567', credentialKind: 'byok', credentialHint: 'sk-a...efgh', clientSessionId: 'sess-big',
    });
    aliceIds[0] = bigId;
    await db.query(named('test')`DELETE FROM aibridge_interceptions WHERE started_at = ${'2026-03-01T10:11:00Z'}`);
    await addTokenUsage(db, { interceptionId: bigId, input: 3_000_000_000, output: 2_147_483_648, cacheRead: 5, metadata: { cache: { ephemeral_5m_input_tokens: 2_147_483_648 } }, createdAt: '2026-03-01T10:11:01Z' });
    await addTokenUsage(db, { interceptionId: bigId, input: 4_000_000_000, output: 2, metadata: { cache: { ephemeral_5m_input_tokens: 2_147_483_648 }, note: 'x' }, createdAt: '2026-03-01T10:11:02Z' });
    await addToolUsage(db, { interceptionId: bigId, tool: 'shell', input: '{"cmd":"ls"}', injected: true, serverUrl: 'http://mcp', createdAt: '2026-03-01T10:11:01Z' });
    await addPrompt(db, { interceptionId: bigId, prompt: 'list files', createdAt: '2026-03-01 10:11:00.200001+00' });
    await addThought(db, { interceptionId: bigId, content: 'need ls', createdAt: '2026-03-01T10:11:01Z' });
    inFlightId = await addInterception(db, { initiatorId: alice.id, startedAt: '2026-03-01T11:00:00Z', endedAt: null });
    await addInterception(db, { initiatorId: bob.id, startedAt: '2026-03-01T09:00:00Z' });
  },
);
