import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { named } from '../../src/db/sql.ts';
import { describeEachDb } from '../support/databases.ts';
import { countStatements } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';
import { FW, seedFirewallScenario, type FirewallScenario } from '../rest/firewall-scenario.ts';
import { seedScenario, type Scenario } from '../rest/scenario.ts';

let s: FirewallScenario;

const SESSION = `query ($id: String!, $first: Int, $after: String, $top: Int) {
  session(id: $id) {
    sessionId
    networkCalls { total blocked }
    networkCallLogs(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { uuid firewallSessionId sequenceNumber allowed proto method detail matchedRule createdAt capturedAt } }
    }
    topDomains(first: $top) { domain count }
    domainCount
    threads { edges { node { uuid error { type message } agentFirewall { sessionId sequenceNumber } } } }
  }
}`;

describeEachDb(
  'GraphQL Agent Firewall and upstream errors (current schema)',
  (ctx) => {
    const ask = (query: string, variables?: Record<string, unknown>, token = s.owner.token) => gql(createApp({ db: ctx().db }), query, variables, token);
    const session = async (id: string, variables: Record<string, unknown> = {}) => {
      const res = await ask(SESSION, { id, ...variables });
      expect(res.body.errors).toBeUndefined();
      return res.body.data.session;
    };

    it('answers the REST windows, counts and domains, with every domain when asked', async () => {
      const s1 = await session('fw-s1');
      expect(s1.networkCalls).toEqual({ total: 6, blocked: 1 });
      expect(s1.networkCallLogs.totalCount).toBe(6);
      expect(s1.networkCallLogs.edges.map((e: { node: { sequenceNumber: number } }) => e.node.sequenceNumber)).toEqual([11, 35, 12, 15, 19, 31]);
      expect(s1.networkCallLogs.edges[2].node).toEqual({
        uuid: FW.log(4), firewallSessionId: FW.FW1, sequenceNumber: 12, allowed: false, proto: 'http', method: 'POST', detail: 'api.github.com/x',
        matchedRule: null, createdAt: '2026-05-01T12:00:04Z', capturedAt: '2026-05-01T12:00:04Z',
      });
      expect(s1.topDomains).toEqual([{ domain: 'api.github.com', count: 2 }, { domain: 'example.com', count: 2 }]);
      expect(s1.domainCount).toBe(2);
      const hosts = await session('fw-hosts', { top: 10 });
      expect(hosts.topDomains).toEqual([
        { domain: 'api.github.com', count: 2 },
        { domain: 'Example.COM', count: 1 },
        { domain: 'example.com', count: 1 },
        { domain: 'files.test', count: 1 },
        { domain: 'localhost', count: 1 },
      ]);
      expect((await session('fw-hosts', { top: 0 })).topDomains).toEqual([]);
    });

    it('pages through every network call by keyset, past the 1000 REST shows', async () => {
      const seen: number[] = [];
      let after: string | null = null;
      for (;;) {
        const page: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { sequenceNumber: number } }[] } =
          (await session('fw-cap', { first: 400, after })).networkCallLogs;
        seen.push(...page.edges.map((e) => e.node.sequenceNumber));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toHaveLength(1005);
      // Oldest first: created in reverse of sequence order.
      expect(seen[0]).toBe(1005);
      expect(seen.at(-1)).toBe(1);
      expect(new Set(seen).size).toBe(1005);
    });

    it('is null or empty for a session the firewall never saw', async () => {
      const none = await session('fw-none');
      expect(none).toMatchObject({ networkCalls: null, networkCallLogs: { totalCount: 0, edges: [] }, topDomains: [], domainCount: 0 });
      expect(none.threads.edges[0].node).toMatchObject({ error: null, agentFirewall: null });
    });

    it("shows the root's error and firewall position on threads, and each interception's own", async () => {
      const s1 = await session('fw-s1');
      expect(s1.threads.edges.map((e: { node: unknown }) => e.node)).toEqual([
        { uuid: FW.I1, error: { type: 'RATE_LIMITED', message: 'Too many requests <slow down>' }, agentFirewall: { sessionId: FW.FW1, sequenceNumber: 10 } },
        // A message without a type is no error.
        { uuid: FW.I3, error: null, agentFirewall: { sessionId: FW.FW1, sequenceNumber: 30 } },
      ]);
      const res = await ask(`{ interception(id: "${FW.I2}") { error { type message } agentFirewall { sequenceNumber } } }`);
      expect(res.body.data.interception).toEqual({ error: { type: 'OVERLOADED', message: null }, agentFirewall: { sequenceNumber: 20 } });
    });

    it('filters interceptions (and sessions) on error types or failure', async () => {
      const uuids = async (filter: string) => {
        const res = await ask(`{ interceptions(filter: ${filter}) { edges { node { uuid } } } }`);
        expect(res.body.errors).toBeUndefined();
        return res.body.data.interceptions.edges.map((e: { node: { uuid: string } }) => e.node.uuid).sort();
      };
      expect(await uuids('{ failedOnly: true }')).toEqual([FW.I1, FW.I2].sort());
      expect(await uuids('{ errorTypes: [OVERLOADED, TIMEOUT] }')).toEqual([FW.I2]);
      expect(await uuids('{ errorTypes: [] }')).toEqual([]);
      expect((await uuids('{ failedOnly: false }')).length).toBeGreaterThan(2);
      const sessions = await ask('{ sessions(filter: { errorTypes: [RATE_LIMITED] }) { edges { node { sessionId } } } }');
      expect(sessions.body.data.sessions.edges).toEqual([{ node: { sessionId: 'fw-s1' } }]);
      const bad = await ask('{ interceptions(filter: { errorTypes: [NOT_A_TYPE] }) { totalCount } }');
      expect(bad.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('reads network calls, errors and domains of a page of sessions in one statement per kind', async () => {
      const query = `query ($first: Int) { sessions(first: $first) { edges { node {
        networkCalls { total } topDomains(first: 2) { domain } domainCount threads { edges { node { error { type } agentFirewall { sequenceNumber } } } }
      } } } }`;
      const names = async (first: number) => (await countStatements(ctx().db, () => ask(query, { first }))).names;
      const [one, all] = [await names(1), await names(50)];
      expect(all).toEqual(one);
      for (const name of ['networkCalls.counts', 'networkCalls.topDomains', 'interceptions.outcomes']) {
        expect(all.filter((n) => n === name), name).toHaveLength(name === 'networkCalls.topDomains' ? 2 : 1);
      }
    });

    it('reads the first network call log pages of a page of sessions in one statement, each page as its session alone has it', async () => {
      const query = `query ($first: Int) { sessions(first: $first) { edges { node { sessionId
        head: networkCallLogs(first: 3) { edges { node { sequenceNumber } } pageInfo { hasNextPage } }
        tail: networkCallLogs(last: 2) { edges { node { sequenceNumber } } pageInfo { hasPreviousPage } }
      } } } }`;
      const run = (first: number) => countStatements(ctx().db, () => ask(query, { first }));
      const [one, all] = [await run(1), await run(50)];
      expect(all.result.body.errors).toBeUndefined();
      expect(all.names).toEqual(one.names);
      // Two page shapes (first 3, last 2): one statement each, whatever the number of sessions.
      expect(all.names.filter((n) => n === 'networkCalls.firstPagesOfSessions')).toHaveLength(2);
      expect(all.names).not.toContain('networkCalls.logs');
      const nodes = all.result.body.data.sessions.edges.map((e: { node: unknown }) => e.node);
      expect(nodes.length).toBeGreaterThan(2);
      const seqs = (c: { edges: { node: { sequenceNumber: number } }[] }) => c.edges.map((e) => e.node.sequenceNumber);
      // fw-s1's calls in log order are 11, 35, 12, 15, 19, 31 (see the first test).
      const s1 = nodes.find((n: { sessionId: string }) => n.sessionId === 'fw-s1');
      expect(seqs(s1.head)).toEqual([11, 35, 12]);
      expect(s1.head.pageInfo.hasNextPage).toBe(true);
      expect(seqs(s1.tail)).toEqual([19, 31]);
      expect(s1.tail.pageInfo.hasPreviousPage).toBe(true);
      // Every other session's pages are what a query for that session alone answers.
      for (const n of nodes) {
        const alone = await ask(`query ($id: String!) { session(id: $id) {
          head: networkCallLogs(first: 3) { edges { node { sequenceNumber } } pageInfo { hasNextPage } }
          tail: networkCallLogs(last: 2) { edges { node { sequenceNumber } } pageInfo { hasPreviousPage } }
        } }`, { id: n.sessionId });
        expect({ head: n.head, tail: n.tail }, n.sessionId).toEqual(alone.body.data.session);
      }
    });

    it("shows another member none of carol's network calls", async () => {
      const res = await ask(SESSION, { id: 'fw-s1' }, s.dave.token);
      expect(res.body.data.session).toBeNull();
    });

    it('looks network calls up by global id where a visible completed interception owns them, and nowhere else', async () => {
      const gid = (uuid: string) => Buffer.from(`NetworkCallLog:${uuid}`).toString('base64');
      // 4: I1's window; 8: I2's; 2 (= I1's own number), 1 (before every interception), 11 (the in-flight I4's window): no owner.
      const ids = [4, 8, 2, 1, 11].map((n) => gid(FW.log(n)));
      const query = `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on NetworkCallLog { uuid sequenceNumber } } }`;
      const owner = await ask(query, { ids });
      expect(owner.body.errors).toBeUndefined();
      expect(owner.body.data.nodes).toEqual([{ uuid: FW.log(4), sequenceNumber: 12 }, { uuid: FW.log(8), sequenceNumber: 21 }, null, null, null]);
      expect((await ask(query, { ids }, s.carol.token)).body.data.nodes.filter(Boolean)).toHaveLength(2);
      expect((await ask(query, { ids }, s.dave.token)).body.data.nodes).toEqual([null, null, null, null, null]);
      const listed = (await session('fw-s1')).networkCallLogs;
      expect(listed.edges.map((e: { node: { uuid: string } }) => e.node.uuid)).toContain(FW.log(4));
    });
  },
  async (t) => {
    s = await seedFirewallScenario(t.db);
  },
  'current',
);

let old: Scenario;

describeEachDb(
  'GraphQL firewall, errors and recorded costs over a seed-era schema',
  (ctx) => {
    it('answers null and empty without touching absent columns, and no failed interception matches', async () => {
      const app = createApp({ db: ctx().db });
      const { result: res, names } = await countStatements(ctx().db, () => gql(app, `{ sessions(first: 5) { edges { node {
        networkCalls { total } networkCallLogs(first: 5) { totalCount edges { node { id } } } topDomains { domain } domainCount
        threads { edges { node { error { type } agentFirewall { sessionId } root { error { type } tokenUsages { costMicros inputPriceMicros } } } } }
      } } } failed: interceptions(filter: { failedOnly: true }) { totalCount } }`, undefined, old.owner.token));
      expect(res.body.errors).toBeUndefined();
      const nodes = res.body.data.sessions.edges.map((e: { node: unknown }) => e.node);
      expect(nodes.length).toBeGreaterThan(1);
      for (const n of nodes) {
        expect(n).toMatchObject({ networkCalls: null, networkCallLogs: { totalCount: 0, edges: [] }, topDomains: [], domainCount: 0 });
        for (const th of n.threads.edges) {
          expect(th.node).toMatchObject({ error: null, agentFirewall: null, root: { error: null } });
          for (const u of th.node.root.tokenUsages) expect(u).toEqual({ costMicros: null, inputPriceMicros: null });
        }
      }
      expect(res.body.data.failed.totalCount).toBe(0);
      // Only the catalog is read for them: no statement names a column the database lacks.
      expect(names.filter((n) => /^(networkCalls|interceptions\.outcomes|tokenUsages\.recordedCosts)/.test(n))).toEqual([]);
    });
  },
  async (t) => {
    old = await seedScenario(t.db);
  },
  'seed-era',
);

describeEachDb(
  'GraphQL recorded costs (current schema)',
  (ctx) => {
    it('shows the cost and price snapshot Coder recorded per token usage row, null where unpriced', async () => {
      await ctx().db.query(named('test')`UPDATE aibridge_token_usages SET cost_micros = 1234, input_price_micros = 3000000,
          output_price_micros = 15000000, cache_read_price_micros = 300000, cache_write_price_micros = NULL WHERE provider_response_id = 'msg_1'`);
      const res = await gql(createApp({ db: ctx().db }), `{ interceptions(first: 10) { edges { node { tokenUsages {
        providerResponseId costMicros inputPriceMicros outputPriceMicros cacheReadPriceMicros cacheWritePriceMicros } } } } }`, undefined, old.owner.token);
      expect(res.body.errors).toBeUndefined();
      const usages = res.body.data.interceptions.edges.flatMap((e: { node: { tokenUsages: unknown[] } }) => e.node.tokenUsages);
      expect(usages).toContainEqual({
        providerResponseId: 'msg_1', costMicros: 1234, inputPriceMicros: 3000000, outputPriceMicros: 15000000, cacheReadPriceMicros: 300000, cacheWritePriceMicros: null,
      });
      expect(usages).toContainEqual({
        providerResponseId: 'msg_2', costMicros: null, inputPriceMicros: null, outputPriceMicros: null, cacheReadPriceMicros: null, cacheWritePriceMicros: null,
      });
    });
  },
  async (t) => {
    old = await seedScenario(t.db);
  },
  'current',
);
