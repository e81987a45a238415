import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/graphql/default-query.ts';
import { describeEachDb } from '../support/databases.ts';
import { addUser } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';
import { addSessions } from './fixtures.ts';

let owner: { id: string; token: string };

describeEachDb(
  'GraphiQL default query',
  (ctx) => {
    it('runs without errors within the limits and shows sessions with threads and agentic actions', async () => {
      const res = await gql(createApp({ db: ctx().db }), GRAPHIQL_DEFAULT_QUERY, undefined, owner.token);
      expect(res.body.errors).toBeUndefined();
      const sessions = res.body.data.sessions;
      expect(sessions.totalCount).toBe(2);
      expect(sessions.edges[0].node.threads.edges[0].node.agenticActions[0].toolCalls[0].tool).toMatch(/^tool-/);
      // Firewall and error fields are asked for, and null where nothing was recorded.
      expect(sessions.edges[0].node).toMatchObject({ networkCalls: null, topDomains: [] });
      expect(sessions.edges[0].node.threads.edges[0].node.error).toBeNull();
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
    await addSessions(db, owner.id, 2, 1);
  },
);
