import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Viewer } from '../../src/auth/viewer.ts';
import { firstInterceptionPages, listInterceptions } from '../../src/domain/interceptions.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addUser, countStatements } from '../support/fixtures.ts';
import { client } from './client.ts';
import { addSessions } from './fixtures.ts';
import type { RootPageQuery } from './generated/graphql.ts';
import { graphql } from './generated/index.ts';

let owner: { id: string; token: string };

const NestedSessions = graphql(`
  query NestedSessions($first: Int!) {
    sessions(first: $first) {
      edges { node { threads { edges { node { agenticActions { toolCalls { tool } thinking { text } } } } } } }
    }
  }
`);

const InterceptionsWithChildren = graphql(`
  query InterceptionsWithChildren($first: Int!) {
    interceptions(first: $first) {
      edges {
        node {
          uuid
          tokenUsages { inputTokens }
          toolUsages { tool }
          userPrompts { prompt }
          initiator { username }
        }
      }
    }
  }
`);

describeEachDb(
  'GraphQL statement counts do not grow with page size',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    it('sends as many statements for 100 sessions as for 5, down through threads and agentic actions to tool calls and thinking', async () => {
      const c = client(app(), owner.token);
      const small = await countStatements(ctx().db, () => c.request(NestedSessions, { first: 5 }));
      const large = await countStatements(ctx().db, () => c.request(NestedSessions, { first: 100 }));
      const sessions = large.result.sessions.edges;
      expect(small.result.sessions.edges).toHaveLength(5);
      expect(sessions).toHaveLength(100);
      // Everything was really loaded: 2 threads per session, 2 actions per thread, one tool call and one thought each.
      const actions = sessions.flatMap((s) => s.node.threads.edges.flatMap((t) => t.node.agenticActions));
      expect(actions).toHaveLength(400);
      expect(actions.every((a) => a.toolCalls.length === 1 && a.thinking.length === 1)).toBe(true);
      expect(large.names).toEqual(small.names);
      // Authentication, the session page and its enrichment, the thread pages (with their totals),
      // the agentic actions (with their tool calls, thinking and totals).
      expect(large.names).toEqual([
        'auth.apiKey', 'sessions.groupAggregates', 'sessions.page',
        'threads.agenticActions', 'threads.byRootIds', 'threads.firstPagesOfSessions', 'tokenTotals.sessions',
      ]);
    });

    it.each([
      // The root page answered by one JSON statement (src/graphql/page-json.ts).
      ['one JSON statement', true, ['auth.apiKey', 'interceptions.pageJson']],
      // Resolved field by field: the page, then every child kind and the initiators in one statement.
      ['DataLoaders', false, ['auth.apiKey', 'children.bundle', 'interceptions.page']],
    ] as const)('sends as many statements for 100 interceptions as for 5, with their token usages, tool usages, prompts and initiator (%s)', async (_how, pageJson, names) => {
      const c = client(createApp({ db: ctx().db, pageJson }), owner.token);
      const small = await countStatements(ctx().db, () => c.request(InterceptionsWithChildren, { first: 5 }));
      const large = await countStatements(ctx().db, () => c.request(InterceptionsWithChildren, { first: 100 }));
      expect(small.result.interceptions.edges).toHaveLength(5);
      const nodes = large.result.interceptions.edges.map((e) => e.node);
      expect(nodes).toHaveLength(100);
      expect(nodes.every((n) => n.tokenUsages.length === 1 && n.toolUsages.length === 1 && n.initiator.username === 'root')).toBe(true);
      expect(nodes.some((n) => n.userPrompts.length === 1)).toBe(true);
      expect(large.names).toEqual(small.names);
      expect(large.names).toEqual(names);
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
    await addSessions(db, owner.id, 120, 2);
  },
);

const SessionInterceptions = graphql(`
  query SessionInterceptions($first: Int!) {
    sessions(first: $first) {
      edges { node { interceptions(first: 5) { edges { node { uuid } } } } }
    }
  }
`);

const InitiatorInterceptions = graphql(`
  query InitiatorInterceptions($first: Int!) {
    interceptions(first: $first) {
      edges { node { initiator { interceptions(first: 3) { edges { node { uuid } } } } } }
    }
  }
`);

const BatchedSessionPages = graphql(`
  query BatchedSessionPages($inFlight: Boolean!) {
    sessions(first: 100, filter: { includeInFlight: $inFlight }) {
      edges {
        node {
          sessionId
          initiator { uuid }
          head: interceptions(first: 5) {
            totalCount
            edges { cursor node { uuid startedAt endedAt } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
          tail: interceptions(last: 4) {
            edges { cursor node { uuid startedAt endedAt } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }
      }
    }
  }
`);

const BatchedUserPages = graphql(`
  query BatchedUserPages {
    interceptions(first: 1000, filter: { includeInFlight: true }) {
      edges {
        node {
          initiator {
            uuid
            head: interceptions(first: 3) {
              edges { cursor node { uuid } }
              pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            }
            tail: interceptions(last: 2, filter: { model: "gpt-5" }) {
              edges { cursor node { uuid } }
              pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            }
            inFlight: interceptions(first: 4, filter: { includeInFlight: true }) {
              edges { cursor node { uuid } }
              pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            }
          }
        }
      }
    }
  }
`);

/** The root list: no parent, so always one listInterceptions per connection (the reference). */
const RootPage = graphql(`
  query RootPage($first: Int, $last: Int, $filter: InterceptionFilter!) {
    interceptions(first: $first, last: $last, filter: $filter) {
      totalCount
      edges { cursor node { uuid startedAt endedAt } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

let alice: { id: string; token: string };
let bob: { id: string; token: string };
const owned = new Map<string, Set<string>>();

describeEachDb(
  'GraphQL nested interception pages are batched across parents',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    it('Session.interceptions: the same statements for 2 or 20 sessions', async () => {
      const c = client(app(), owner.token);
      const small = await countStatements(ctx().db, () => c.request(SessionInterceptions, { first: 2 }));
      const large = await countStatements(ctx().db, () => c.request(SessionInterceptions, { first: 20 }));
      expect(small.result.sessions.edges).toHaveLength(2);
      expect(large.result.sessions.edges).toHaveLength(20);
      expect(large.result.sessions.edges.every((e) => e.node.interceptions.edges.length >= 1)).toBe(true);
      expect(large.names).toEqual(small.names);
      // Authentication, the session page, its enrichment (groups, token totals), one read of every first page.
      expect(large.names).toEqual([
        'auth.apiKey', 'interceptions.firstPagesOfParents', 'sessions.groupAggregates', 'sessions.page', 'tokenTotals.sessions',
      ]);
    });

    it('User.interceptions in a list of users: the same statements for 2 or 60 parents', async () => {
      const c = client(app(), owner.token);
      const small = await countStatements(ctx().db, () => c.request(InitiatorInterceptions, { first: 2 }));
      const large = await countStatements(ctx().db, () => c.request(InitiatorInterceptions, { first: 60 }));
      const initiators = large.result.interceptions.edges.map((e) => e.node.initiator);
      expect(initiators).toHaveLength(60);
      expect(initiators.every((u) => u.interceptions.edges.length === 3)).toBe(true);
      expect(large.names).toEqual(small.names);
      // Authentication, the page, the users (children.bundle), one read of every first page.
      expect(large.names).toEqual(['auth.apiKey', 'children.bundle', 'interceptions.firstPagesOfParents', 'interceptions.page']);
    });

    for (const who of ['owner', 'member'] as const) {
      it(`batched session pages equal the per-session list (${who})`, async () => {
        const user = who === 'owner' ? owner : alice;
        const c = client(app(), user.token);
        for (const inFlight of [false, true]) {
          const { sessions } = await c.request(BatchedSessionPages, { inFlight });
          expect(sessions.edges.length).toBeGreaterThan(who === 'owner' ? 20 : 5);
          for (const { node: s } of sessions.edges) {
            if (who === 'member') expect(s.initiator.uuid).toBe(alice.id);
            const filter = { sessionId: s.sessionId, initiator: s.initiator.uuid, includeInFlight: inFlight };
            const head = await c.request(RootPage, { first: 5, filter });
            const tail = await c.request(RootPage, { last: 4, filter });
            expect(s.head).toEqual(head.interceptions);
            const { totalCount: _, ...tailPage } = tail.interceptions;
            expect(s.tail).toEqual(tailPage);
            expect(s.head.edges.length).toBeGreaterThan(0);
            for (const e of [...s.head.edges, ...s.tail.edges]) expect(owned.get(s.initiator.uuid)!.has(e.node.uuid)).toBe(true);
          }
        }
      });

      it(`batched user pages equal the per-user list (${who})`, async () => {
        const user = who === 'owner' ? owner : alice;
        const c = client(app(), user.token);
        const { interceptions } = await c.request(BatchedUserPages);
        const initiators = new Map(interceptions.edges.map((e) => [e.node.initiator.uuid, e.node.initiator]));
        expect([...initiators.keys()].sort()).toEqual(who === 'owner' ? [owner.id, alice.id, bob.id].sort() : [alice.id]);
        for (const [uuid, u] of initiators) {
          const strip = (r: RootPageQuery) => ({
            edges: r.interceptions.edges.map((e) => ({ cursor: e.cursor, node: { uuid: e.node.uuid } })),
            pageInfo: r.interceptions.pageInfo,
          });
          expect(u.head).toEqual(strip(await c.request(RootPage, { first: 3, filter: { initiator: uuid } })));
          expect(u.tail).toEqual(strip(await c.request(RootPage, { last: 2, filter: { initiator: uuid, model: 'gpt-5' } })));
          expect(u.inFlight).toEqual(strip(await c.request(RootPage, { first: 4, filter: { initiator: uuid, includeInFlight: true } })));
          for (const e of [...u.head.edges, ...u.tail.edges, ...u.inFlight.edges]) expect(owned.get(uuid)!.has(e.node.uuid)).toBe(true);
        }
        if (who === 'owner') expect(initiators.get(bob.id)!.inFlight.edges[0].node.uuid).not.toBe(initiators.get(bob.id)!.head.edges[0].node.uuid);
      });
    }

    it("a member's batched read never holds another user's rows", async () => {
      const member: Viewer = { id: alice.id, username: 'alice', name: '', avatarUrl: '', roles: [], seesAll: false };
      const db = ctx().db;
      const users = await firstInterceptionPages(db, member, {}, [{ initiatorId: owner.id }, { initiatorId: alice.id }, { initiatorId: bob.id }], { limit: 5 });
      expect(users.map((pg) => pg.rows.length)).toEqual([0, 5, 0]);
      expect(users[1]).toEqual(await listInterceptions(db, member, { initiatorId: alice.id }, { limit: 5 }));
      // The same session id under two initiators: only the member's own session is read.
      const sessions = await firstInterceptionPages(
        db, member, { includeInFlight: true },
        [{ initiatorId: owner.id, sessionId: 's-000' }, { initiatorId: alice.id, sessionId: 's-000' }], { limit: 2, fromEnd: true },
      );
      expect(sessions[0]).toEqual({ rows: [], hasMore: false });
      expect(sessions[1]).toEqual(await listInterceptions(db, member, { initiatorId: alice.id, sessionId: 's-000', includeInFlight: true }, { limit: 2, fromEnd: true }));
      expect(sessions[1].hasMore).toBe(true);
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
    alice = await addUser(db, { username: 'alice' });
    bob = await addUser(db, { username: 'bob' });
    // Owner and alice share session ids and start times (ties broken by id); 3 threads = 6 interceptions per session.
    for (const [u, count, threads] of [[owner, 12, 3], [alice, 12, 3], [bob, 4, 1]] as const) {
      const made = await addSessions(db, u.id, count, threads);
      owned.set(u.id, new Set(made.flatMap((s) => [...s.roots, ...s.children])));
    }
    // Bob's newest interception is still running: only lists with includeInFlight see it.
    const running = await addInterception(db, { initiatorId: bob.id, clientSessionId: 's-000', startedAt: '2026-03-02T09:00:00Z', endedAt: null });
    owned.get(bob.id)!.add(running);
  },
);
