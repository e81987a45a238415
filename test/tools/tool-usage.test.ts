import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { countStatements } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';
import { type Dimension, type Expected, expected, ROWS, writeFixture } from './fixture.ts';

/**
 * Query.toolUsage against figures computed here from the fixture's rows: calls counted in JS,
 * each interception's tokens once per group it called in, costs by Coder's formula with the
 * price package's published prices in exact integers.
 */
let users: Awaited<ReturnType<typeof writeFixture>>;

const FIGURES = `calls invocationErrors errorRate injectedCalls injectedShare requests sessions
  inputTokens outputTokens cacheReadTokens cacheWriteTokens cost { total unpricedRequests source sources { amount } }`;
const KEYS = 'serverUrl tool injected model initiator { username } client';

/** The answer's figures in the shape of `Expected` (cost as exact micro-dollars). */
function asExpected(f: any): Expected {
  return {
    calls: f.calls, invocationErrors: f.invocationErrors, injectedCalls: f.injectedCalls, requests: f.requests, sessions: f.sessions,
    inputTokens: f.inputTokens, outputTokens: f.outputTokens, cacheReadTokens: f.cacheReadTokens, cacheWriteTokens: f.cacheWriteTokens,
    costMicros: BigInt(f.cost.total.replace('.', '')), unpricedRequests: f.cost.unpricedRequests,
  };
}

const keyOfGroup = (g: any) => JSON.stringify([g.serverUrl, g.tool, g.injected, g.model, g.initiator?.username ?? null, g.client]);

describeEachDb(
  'Query.toolUsage',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const toolUsage = (token: string, args: string, variables?: Record<string, unknown>) =>
      gql(app(), `query($filter: InterceptionFilter) { toolUsage(filter: $filter ${args}) {
        totals { ${FIGURES} } groups { ${KEYS} bucketStart bucketEnd figures { ${FIGURES} } } } }`, variables, token);

    const DIMENSION_SETS: Dimension[][] = [
      ['SERVER', 'TOOL'], ['SERVER'], ['TOOL'], ['INJECTED'], ['MODEL'], ['INITIATOR'], ['CLIENT'], ['SERVER', 'INITIATOR', 'CLIENT'], ['TOOL', 'MODEL', 'INJECTED'],
    ];

    it.each(DIMENSION_SETS.map((d) => [d.join(', '), d] as const))('groups by %s: every group and the totals equal an independent computation', async (_name, dims) => {
      const res = await toolUsage(users.root.token, `, groupBy: [${dims.join(', ')}]`);
      expect(res.body.errors).toBeUndefined();
      const { totals, groups } = res.body.data.toolUsage;
      const want = expected(ROWS, dims);
      expect(new Map(groups.map((g: any) => [keyOfGroup(g), asExpected(g.figures)]))).toEqual(want);
      expect(asExpected(totals)).toEqual(expected(ROWS, []).values().next().value);
      // Each cost's price sources add up to its total.
      const micros = (usd: string) => BigInt(usd.replace('.', ''));
      for (const f of [totals, ...groups.map((g: any) => g.figures)]) {
        expect(f.cost.sources.reduce((sum: bigint, s: any) => sum + micros(s.amount), 0n)).toBe(micros(f.cost.total));
      }
      // The ratios are the exact counts' quotients.
      for (const g of groups) {
        expect(g.figures.errorRate).toBe(g.figures.invocationErrors / g.figures.calls);
        expect(g.figures.injectedShare).toBe(g.figures.injectedCalls / g.figures.calls);
      }
    });

    it('puts client-defined tools (server URL NULL or empty) in one SERVER group, the empty string', async () => {
      const res = await toolUsage(users.root.token, ', groupBy: [SERVER]');
      const servers = res.body.data.toolUsage.groups.map((g: any) => g.serverUrl);
      expect(servers.filter((s: string) => s === '')).toHaveLength(1);
      const local = res.body.data.toolUsage.groups.find((g: any) => g.serverUrl === '');
      // Read ×3 and Bash (server URL NULL), Edit (''); the in-flight Bash is not counted.
      expect(local.figures).toMatchObject({ calls: 5, injectedCalls: 0, invocationErrors: 0, injectedShare: 0 });
    });

    it('counts an interception calling two tools fully under each, and once in the totals', async () => {
      const res = await toolUsage(users.root.token, ', groupBy: [TOOL]', { filter: { sessionId: 's1', startedBefore: '2026-03-08T07:00:00Z' } });
      const { totals, groups } = res.body.data.toolUsage;
      // i1 alone: one Read and one coder_list_workspaces call, 1,200 input tokens.
      expect(groups.map((g: any) => [g.tool, g.figures.calls, g.figures.requests, g.figures.inputTokens])).toEqual([
        ['Read', 1, 1, 1200], ['coder_list_workspaces', 1, 1, 1200],
      ]);
      expect(totals).toMatchObject({ calls: 2, requests: 1, inputTokens: 1200 });
      expect(groups[0].figures.cost.total).toBe(totals.cost.total);
    });

    it('shows a member only their own calls, and grouping by INITIATOR reveals nobody else', async () => {
      const res = await toolUsage(users.alice.token, ', groupBy: [INITIATOR, SERVER]');
      expect(res.body.errors).toBeUndefined();
      const { totals, groups } = res.body.data.toolUsage;
      const own = ROWS.filter((r) => r.who === 'alice');
      expect(new Map(groups.map((g: any) => [keyOfGroup(g), asExpected(g.figures)]))).toEqual(expected(own, ['INITIATOR', 'SERVER']));
      expect(asExpected(totals)).toEqual(expected(own, []).values().next().value);
      expect(new Set(groups.map((g: any) => g.initiator.username))).toEqual(new Set(['alice']));
      // Naming another user is refused as for every filter, not answered with zeros.
      const other = await toolUsage(users.alice.token, '', { filter: { initiator: 'bob' } });
      expect(other.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    });

    it.each([['auditor', 'audrey'], ['owner', 'root']] as const)('shows an %s every user', async (_role, who) => {
      const res = await toolUsage(users[who].token, ', groupBy: [INITIATOR]');
      const seen = res.body.data.toolUsage.groups.map((g: any) => [g.initiator.username, g.figures.calls]).sort();
      const want = expected(ROWS, ['INITIATOR']);
      expect(seen).toEqual(['alice', 'bob'].map((u) => [u, want.get(JSON.stringify([null, null, null, null, u, null]))!.calls]));
    });

    it('leaves in-flight requests out unless asked for', async () => {
      const without = await toolUsage(users.root.token, ', groupBy: [TOOL]', { filter: { model: 'claude-haiku-4-5' } });
      const withInFlight = await toolUsage(users.root.token, ', groupBy: [TOOL]', { filter: { model: 'claude-haiku-4-5', includeInFlight: true } });
      const bash = (r: any) => r.body.data.toolUsage.groups.find((g: any) => g.tool === 'Bash');
      expect(bash(without)).toBeUndefined();
      expect(bash(withInFlight).figures).toMatchObject({ calls: 1, requests: 1 });
    });

    it('orders by error rate exactly and keeps the first N; totals still over everything', async () => {
      const all = await toolUsage(users.root.token, ', groupBy: [TOOL]');
      const top = await toolUsage(users.root.token, ', groupBy: [TOOL], orderBy: { field: ERROR_RATE, direction: DESC }, first: 3');
      const rate = (g: any) => g.figures.invocationErrors / g.figures.calls;
      const byRate = [...all.body.data.toolUsage.groups].sort((a: any, b: any) => rate(b) - rate(a) || (a.tool < b.tool ? -1 : 1));
      expect(top.body.data.toolUsage.groups.map((g: any) => g.tool)).toEqual(byRate.slice(0, 3).map((g: any) => g.tool));
      // coder_list_workspaces: 1 of 3; github_create_pull_request: 1 of 1; linear_search_issues: 1 of 2.
      expect(top.body.data.toolUsage.groups.map((g: any) => g.tool)).toEqual(['github_create_pull_request', 'linear_search_issues', 'coder_list_workspaces']);
      expect(top.body.data.toolUsage.totals).toEqual(all.body.data.toolUsage.totals);
    });

    it('orders by cost, the most expensive tool first', async () => {
      const res = await toolUsage(users.root.token, ', groupBy: [TOOL], orderBy: { field: COST }');
      const costs = res.body.data.toolUsage.groups.map((g: any) => BigInt(g.figures.cost.total.replace('.', '')));
      expect(costs).toEqual([...costs].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
      const want = [...expected(ROWS, ['TOOL']).values()].map((e) => e.costMicros).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
      expect(costs).toEqual(want);
    });

    it('cuts DAY buckets at New York midnight by when the request started: the spring-forward day has 23 hours, empty days are present', async () => {
      const res = await toolUsage(users.root.token, ', groupBy: [INJECTED], bucket: DAY, timeZone: "America/New_York"', {
        filter: { startedAfter: '2026-03-07T05:00:00Z', startedBefore: '2026-03-11T03:59:59Z' },
      });
      expect(res.body.errors).toBeUndefined();
      const local = (iso: string) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date(iso));
      const want = new Map<string, number>();
      for (const r of ROWS.filter((x) => x.ended !== null)) {
        for (const c of r.calls) want.set(`${local(r.started)} ${c.injected}`, (want.get(`${local(r.started)} ${c.injected}`) ?? 0) + 1);
      }
      const groups = res.body.data.toolUsage.groups;
      expect(groups.map((g: any) => [g.injected, g.bucketStart, g.bucketEnd])).toEqual([false, true].flatMap((injected) => [
        [injected, '2026-03-07T05:00:00Z', '2026-03-08T05:00:00Z'],
        [injected, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'],
        [injected, '2026-03-09T04:00:00Z', '2026-03-10T04:00:00Z'],
        [injected, '2026-03-10T04:00:00Z', '2026-03-11T04:00:00Z'],
      ]).sort((a, b) => (a[1] === b[1] ? Number(a[0]) - Number(b[0]) : a[1] < b[1] ? -1 : 1)));
      for (const g of groups) expect(g.figures.calls, `${g.bucketStart} ${g.injected}`).toBe(want.get(`${local(g.bucketStart)} ${g.injected}`) ?? 0);
      // i3 starts 2026-03-09T03:30Z, still March 8 in New York.
      expect(want.get('2026-03-08 true')).toBe(4);
    });

    it('gives the spring-forward day 23 HOUR buckets, each a real hour, adding up to the totals', async () => {
      const res = await toolUsage(users.root.token, ', bucket: HOUR, timeZone: "America/New_York"', {
        filter: { startedAfter: '2026-03-08T05:00:00Z', startedBefore: '2026-03-09T03:59:59Z' },
      });
      const { groups, totals } = res.body.data.toolUsage;
      expect(groups).toHaveLength(23);
      for (const g of groups) expect(Date.parse(g.bucketEnd) - Date.parse(g.bucketStart)).toBe(3_600_000);
      expect(groups.reduce((s: number, g: any) => s + g.figures.calls, 0)).toBe(totals.calls);
      expect(totals.calls).toBe(6);
    });

    it('refuses bad input with BAD_USER_INPUT: unknown zone, repeated dimension, negative first, unknown user', async () => {
      const cases: [string, Record<string, unknown> | undefined, string][] = [
        [', bucket: DAY, timeZone: "Mars/Olympus"', undefined, 'timeZone'],
        [', timeZone: "UTC; DROP TABLE users"', undefined, 'timeZone'],
        [', groupBy: [TOOL, TOOL]', undefined, 'groupBy'],
        [', groupBy: [TOOL], first: -1', undefined, 'first'],
        ['', { filter: { initiator: 'nobody-here' } }, 'filter.initiator'],
        ['', { filter: { startedAfter: '2026-03-09T00:00:00Z', startedBefore: '2026-03-08T00:00:00Z' } }, 'filter.startedBefore'],
      ];
      for (const [args, variables, argument] of cases) {
        const res = await toolUsage(users.root.token, args, variables);
        expect(res.body.errors?.[0]?.extensions, args).toMatchObject({ code: 'BAD_USER_INPUT', argument });
        expect(res.body.data?.toolUsage ?? null).toBeNull();
      }
      const unknownDimension = await toolUsage(users.root.token, ', groupBy: [PROVIDER]');
      expect(unknownDimension.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const huge = await toolUsage(users.root.token, ', bucket: HOUR', { filter: { startedAfter: '2025-01-01T00:00:00Z', startedBefore: '2026-01-01T00:00:00Z' } });
      expect(huge.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'buckets', max: 1000 });
    });

    it('computes only what is selected, and each figure alone equals that figure in a full selection', async () => {
      const args = 'groupBy: [SERVER, CLIENT], orderBy: { field: TOTAL_TOKENS, direction: DESC }';
      const full = (await toolUsage(users.root.token, `, ${args}`)).body.data.toolUsage;
      for (const figure of FIGURES.split(/\s+/).filter((f) => /^[a-z]/i.test(f) && !['total', 'unpricedRequests', 'source', 'sources', 'amount'].includes(f))) {
        const sub = figure === 'cost' ? 'cost { total unpricedRequests source sources { amount } }' : figure;
        const alone = await gql(app(), `{ toolUsage(${args}) { totals { ${sub} } groups { serverUrl client figures { ${sub} } } } }`, undefined, users.root.token);
        expect(alone.body.errors, figure).toBeUndefined();
        expect(alone.body.data.toolUsage.groups, figure).toEqual(full.groups.map((g: any) => ({ serverUrl: g.serverUrl, client: g.client, figures: { [figure]: g.figures[figure] } })));
        expect(alone.body.data.toolUsage.totals[figure], figure).toEqual(full.totals[figure]);
      }
    });

    it('refuses a document asking for toolUsage more than four times before running anything', async () => {
      const four = `{ ${[1, 2, 3, 4].map((n) => `t${n}: toolUsage { totals { calls } }`).join(' ')} }`;
      expect((await gql(app(), four, undefined, users.root.token)).body.errors).toBeUndefined();
      const { result, statements } = await countStatements(ctx().db, () =>
        gql(app(), `{ ${[1, 2, 3, 4, 5].map((n) => `t${n}: toolUsage { totals { calls } }`).join(' ')} }`, undefined, users.root.token));
      expect(result.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(statements.filter((s) => s.includes('/* tools.'))).toEqual([]);
    });

    it('sends as many statements for many groups as for one', async () => {
      const args = ', groupBy: [SERVER, TOOL, INITIATOR, CLIENT], bucket: HOUR';
      const { result: small, statements: one } = await countStatements(ctx().db, () =>
        toolUsage(users.root.token, args, { filter: { sessionId: 's4', startedAfter: '2026-03-10T10:00:00Z', startedBefore: '2026-03-10T10:59:59Z' } }));
      const { result, statements: many } = await countStatements(ctx().db, () =>
        toolUsage(users.root.token, args, { filter: { startedAfter: '2026-03-08T00:00:00Z', startedBefore: '2026-03-10T23:59:59Z' } }));
      expect(small.body.data.toolUsage.groups).toHaveLength(1);
      expect(result.body.data.toolUsage.groups.length).toBeGreaterThan(100);
      expect(many.length).toBe(one.length);
    });
  },
  async (t) => {
    users = await writeFixture(t.db);
  },
);
