import { ClientError } from 'graphql-request';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addUser } from '../support/fixtures.ts';
import { client } from './client.ts';
import { addSessions, type SessionFixture } from './fixtures.ts';
import type { SessionsPageQuery } from './generated/graphql.ts';
import { graphql } from './generated/index.ts';

let alice: { id: string; token: string };
let bob: { id: string; token: string };
let sessions: SessionFixture[] = [];

const SessionsPage = graphql(`
  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {
    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      edges { cursor node { sessionId threadCount } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

const SessionDetail = graphql(`
  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {
    session(id: $id) {
      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt
      initiator { username }
      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }
      threads(first: $first, after: $after, last: $last, before: $before) {
        totalCount pageStartedAt pageEndedAt
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges {
          node {
            uuid prompt model credentialHint
            tokenUsage { inputTokens outputTokens }
            root { uuid }
            interceptions { uuid }
            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }
          }
        }
      }
      interceptions(first: 10) { totalCount }
    }
  }
`);

const ViewerLists = graphql(`
  query ViewerLists {
    viewer {
      sessions(first: 2) { totalCount edges { node { sessionId } } }
      interceptions(first: 1) { totalCount }
    }
    models
    gptModels: models(prefix: "gpt")
    clients
  }
`);

describeEachDb(
  'GraphQL sessions and threads',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    it('lists sessions most recently active first, both directions by keyset', async () => {
      const c = client(app(), alice.token);
      const expected = sessions.map((s) => s.sessionId).reverse();
      const seen: string[] = [];
      let page: SessionsPageQuery['sessions'] | undefined;
      do {
        page = (await c.request(SessionsPage, { first: 3, after: page?.pageInfo.endCursor })).sessions;
        expect(page.totalCount).toBe(7);
        seen.push(...page.edges.map((e) => e.node.sessionId));
      } while (page.pageInfo.hasNextPage);
      expect(seen).toEqual(expected);

      const last = (await c.request(SessionsPage, { last: 3 })).sessions;
      expect(last.edges.map((e) => e.node.sessionId)).toEqual(expected.slice(4));
      const before = (await c.request(SessionsPage, { last: 3, before: last.pageInfo.startCursor })).sessions;
      expect(before.edges.map((e) => e.node.sessionId)).toEqual(expected.slice(1, 4));
      expect(before.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    });

    it('applies the filter before grouping', async () => {
      const c = client(app(), alice.token);
      const { sessions: page } = await c.request(SessionsPage, { first: 10, filter: { model: 'gpt-5' } });
      expect(page.totalCount).toBe(7);
      // Only the gpt-5 thread roots match, one per session.
      expect(page.edges.every((e) => e.node.threadCount === 1)).toBe(true);
      expect((await c.request(SessionsPage, { filter: { sessionId: 's-003' } })).sessions.edges.map((e) => e.node.sessionId)).toEqual(['s-003']);
    });

    it('resolves a session by id or by the UUID of any of its interceptions, with threads and agentic actions', async () => {
      const c = client(app(), alice.token);
      const s = sessions[2];
      const bySessionId = (await c.request(SessionDetail, { id: s.sessionId })).session!;
      const byChild = (await c.request(SessionDetail, { id: s.children[1] })).session!;
      expect(byChild).toEqual(bySessionId);
      expect(bySessionId).toMatchObject({
        sessionId: 's-002',
        providers: ['anthropic'],
        models: ['claude', 'claude-sonnet-4-5', 'gpt-5'],
        client: 'Unknown',
        lastPrompt: 'prompt 2.2',
        threadCount: 3,
        initiator: { username: 'alice' },
        // 6 interceptions of 1002 input tokens; outputs 10,10,20,20,30,30; a cache read on each child.
        tokenUsageSummary: { inputTokens: 6012, outputTokens: 120, cacheReadInputTokens: 3, cacheWriteInputTokens: 0 },
        interceptions: { totalCount: 6 },
      });
      const threads = bySessionId.threads;
      expect(threads.totalCount).toBe(3);
      expect(threads.edges.map((e) => e.node.uuid)).toEqual(s.roots);
      expect(threads.pageStartedAt).toBe(bySessionId.startedAt);
      const first = threads.edges[0].node;
      expect(first).toMatchObject({
        prompt: 'prompt 2.0',
        model: 'claude',
        credentialHint: '...',
        tokenUsage: { inputTokens: 2004, outputTokens: 20 },
        root: { uuid: s.roots[0] },
        interceptions: [{ uuid: s.roots[0] }, { uuid: s.children[0] }],
      });
      expect(first.agenticActions).toEqual([
        { model: 'claude', interception: { uuid: s.roots[0] }, tokenUsage: { inputTokens: 1002 }, toolCalls: [{ tool: 'tool-0-0' }], thinking: [{ text: 'thinking 2.0.0' }] },
        { model: 'claude-sonnet-4-5', interception: { uuid: s.children[0] }, tokenUsage: { inputTokens: 1002 }, toolCalls: [{ tool: 'tool-0-1' }], thinking: [{ text: 'thinking 2.0.1' }] },
      ]);
    });

    it('pages threads forward and backward; cursors accept only interceptions of the session', async () => {
      const c = client(app(), alice.token);
      const s = sessions[4];
      const one = (await c.request(SessionDetail, { id: s.sessionId, first: 1 })).session!.threads;
      expect(one.edges.map((e) => e.node.uuid)).toEqual([s.roots[0]]);
      expect(one.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      const next = (await c.request(SessionDetail, { id: s.sessionId, first: 5, after: one.pageInfo.endCursor })).session!.threads;
      expect(next.edges.map((e) => e.node.uuid)).toEqual(s.roots.slice(1));
      expect(next.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const back = (await c.request(SessionDetail, { id: s.sessionId, last: 1, before: next.pageInfo.endCursor })).session!.threads;
      expect(back.edges.map((e) => e.node.uuid)).toEqual([s.roots[1]]);
      expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

      // A cursor from another session's threads.
      const foreign = (await c.request(SessionDetail, { id: sessions[0].sessionId, first: 1 })).session!.threads.pageInfo.endCursor;
      const err = await c.request(SessionDetail, { id: s.sessionId, after: foreign }).catch((e: ClientError) => e);
      expect(err).toBeInstanceOf(ClientError);
      expect((err as ClientError).response.errors?.[0]).toMatchObject({ message: 'Invalid pagination cursor.', extensions: { code: 'BAD_USER_INPUT' } });
    });

    it("lists the viewer's sessions and interceptions, and the distinct models and clients", async () => {
      const r = await client(app(), alice.token).request(ViewerLists);
      expect(r.viewer.sessions.totalCount).toBe(7);
      expect(r.viewer.sessions.edges.map((e) => e.node.sessionId)).toEqual(['s-006', 's-005']);
      expect(r.viewer.interceptions.totalCount).toBe(42);
      expect(r.models).toEqual(['claude', 'claude-sonnet-4-5', 'gpt-5']);
      expect(r.gptModels).toEqual(['gpt-5']);
      expect(r.clients).toEqual(['Unknown']);
      const b = await client(app(), bob.token).request(ViewerLists);
      expect([b.viewer.sessions.totalCount, b.viewer.interceptions.totalCount, b.models, b.clients]).toEqual([0, 0, [], []]);
    });

    it('hides sessions of other users from members', async () => {
      const b = client(app(), bob.token);
      expect((await b.request(SessionDetail, { id: sessions[0].sessionId })).session).toBeNull();
      expect((await b.request(SessionDetail, { id: sessions[0].roots[0] })).session).toBeNull();
      expect((await b.request(SessionsPage, {})).sessions.totalCount).toBe(0);
    });
  },
  async ({ db }) => {
    alice = await addUser(db, { username: 'alice' });
    bob = await addUser(db, { username: 'bob' });
    sessions = await addSessions(db, alice.id, 7, 3);
  },
);
