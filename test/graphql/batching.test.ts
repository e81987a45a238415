import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addUser, countStatements } from '../support/fixtures.ts';
import { client } from './client.ts';
import { addSessions } from './fixtures.ts';
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

    it('sessions → threads → agentic actions → tool calls and thinking', async () => {
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
      expect(large.statements.length).toBe(small.statements.length);
      // Authentication, the session page and its enrichment, the thread pages, the agentic actions.
      expect(large.statements.length).toBe(11);
    });

    it('interceptions with token usages, tool usages, prompts and initiator', async () => {
      const c = client(app(), owner.token);
      const small = await countStatements(ctx().db, () => c.request(InterceptionsWithChildren, { first: 5 }));
      const large = await countStatements(ctx().db, () => c.request(InterceptionsWithChildren, { first: 100 }));
      expect(small.result.interceptions.edges).toHaveLength(5);
      const nodes = large.result.interceptions.edges.map((e) => e.node);
      expect(nodes).toHaveLength(100);
      expect(nodes.every((n) => n.tokenUsages.length === 1 && n.toolUsages.length === 1 && n.initiator.username === 'root')).toBe(true);
      expect(nodes.some((n) => n.userPrompts.length === 1)).toBe(true);
      expect(large.statements.length).toBe(small.statements.length);
      // Authentication, the page, then one statement per child kind.
      expect(large.statements.length).toBe(6);
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
    await addSessions(db, owner.id, 120, 2);
  },
);
