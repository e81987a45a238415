import { calcPrice } from '@pydantic/genai-prices';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { countStatements } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';
import { OVERRIDE, ROWS, writeFixture } from './fixture.ts';

/**
 * Query.usage against figures computed here independently: the package's own calcPrice (in its
 * token convention: input_tokens INCLUDE cache reads and writes) for default prices, exact
 * integer arithmetic for the override, plain sums for counts.
 */
let f: Awaited<ReturnType<typeof writeFixture>>;

const FIGURES = `requests sessions users inputTokens outputTokens cacheReadTokens cacheWriteTokens cacheHitRatio
  durationMs { p50 p95 p99 } toolCalls injectedToolCalls toolErrors
  cost { total input output cacheRead cacheWrite cacheSavings unpricedRequests unpricedTokens source }`;

const overrideApplies = (r: (typeof ROWS)[number]) =>
  r.provider === OVERRIDE.provider && r.model === OVERRIDE.model && r.started >= OVERRIDE.effectiveFrom;

/** Micro-dollars of one usage row: exact for the override, the package's float otherwise; null = unpriced. */
function expectedMicros(r: (typeof ROWS)[number], [input, output, cacheRead, cacheWrite]: readonly number[]): { micros: number; exact: boolean } | null {
  if (overrideApplies(r)) {
    if (cacheWrite > 0 && OVERRIDE.cacheWrite === null) return null;
    const m = (tokens: number, price: number) => (BigInt(tokens) * BigInt(price)) / 1_000_000n;
    return { micros: Number(m(input, OVERRIDE.input) + m(output, OVERRIDE.output) + m(cacheRead, OVERRIDE.cacheRead)), exact: true };
  }
  const priced = calcPrice(
    { input_tokens: input + cacheRead + cacheWrite, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite, output_tokens: output },
    r.model,
    { providerId: r.provider, timestamp: new Date(r.started) },
  );
  if (!priced || priced.model_price.input_mtok === undefined) return null;
  return { micros: priced.total_price * 1_000_000, exact: false };
}

function expectedTotals(rows: readonly (typeof ROWS)[number][]) {
  const done = rows.filter((r) => r.ended !== null);
  const sum = (k: number) => done.reduce((s, r) => s + r.usages.reduce((t, u) => t + BigInt(u[k]), 0n), 0n).toString();
  let micros = 0;
  let floors = 0;
  let unpricedRequests = 0;
  let unpricedTokens = 0;
  for (const r of done) {
    let unpriced = false;
    for (const u of r.usages) {
      const e = expectedMicros(r, u);
      if (e === null) {
        unpriced = true;
        unpricedTokens += u.reduce((a: number, b: number) => a + b, 0);
      } else {
        micros += e.micros;
        if (!e.exact) floors += 4;
      }
    }
    if (unpriced) unpricedRequests++;
  }
  return {
    requests: done.length,
    sessions: new Set(done.map((r) => `${r.who} ${r.session}`)).size,
    users: new Set(done.map((r) => r.who)).size,
    inputTokens: sum(0), outputTokens: sum(1), cacheReadTokens: sum(2), cacheWriteTokens: sum(3),
    micros, floors, unpricedRequests, unpricedTokens: String(unpricedTokens),
  };
}


describeEachDb(
  'Query.usage',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const usage = async (token: string, args: string, variables?: Record<string, unknown>) =>
      gql(app(), `query($filter: InterceptionFilter) { usage(filter: $filter ${args}) { totals { ${FIGURES} } groups {
        initiator { username } model provider providerName client credentialKind bucketStart bucketEnd figures { ${FIGURES} } } } }`,
        variables, token);

    it('totals equal an independent computation: token sums past 2^31, package prices in their own convention, the override exactly', async () => {
      const res = await usage(f.users.root.token, '');
      expect(res.body.errors).toBeUndefined();
      const t = res.body.data.usage.totals;
      const e = expectedTotals(ROWS);
      expect(t).toMatchObject({
        requests: e.requests, sessions: e.sessions, users: e.users, inputTokens: Number(e.inputTokens), outputTokens: Number(e.outputTokens),
        cacheReadTokens: Number(e.cacheReadTokens), cacheWriteTokens: Number(e.cacheWriteTokens), toolCalls: 3, injectedToolCalls: 1, toolErrors: 1,
      });
      expect(Number(e.inputTokens)).toBeGreaterThan(2 ** 31);
      expect(t.cost.unpricedRequests).toBe(e.unpricedRequests);
      expect(String(t.cost.unpricedTokens)).toBe(e.unpricedTokens);
      expect(Math.abs(Number(t.cost.total) * 1e6 - e.micros)).toBeLessThanOrEqual(e.floors);
      expect(t.cost.source).toBe('PRICE_BOOK');
      // The parts add up to the total, exactly (decimal text, summed as integers of micro-dollars).
      const m = (s: string) => BigInt(s.replace('.', ''));
      expect(m(t.cost.input) + m(t.cost.output) + m(t.cost.cacheRead) + m(t.cost.cacheWrite)).toBe(m(t.cost.total));
      expect(t.cost.total).toMatch(/^\d+\.\d{6}$/);
      expect(t.cacheHitRatio).toBeCloseTo(Number(e.cacheReadTokens) / (Number(e.inputTokens) + Number(e.cacheReadTokens) + Number(e.cacheWriteTokens)), 5);
    });

    it('prices a request with the price in force when it started: the package before the override, the override after', async () => {
      const res = await gql(app(), `{ interceptions(filter: { provider: "openai", model: "gpt-4.1" }) { edges { node { startedAt cost { total cacheSavings source } } } } }`, undefined, f.users.root.token);
      const nodes = res.body.data.interceptions.edges.map((e: any) => e.node);
      const after = nodes.find((n: any) => n.startedAt === '2026-03-20T10:00:00Z');
      const before = nodes.find((n: any) => n.startedAt === '2026-03-08T12:00:00Z');
      expect(after.cost).toEqual({ total: '2.650000', cacheSavings: '0.750000', source: 'PRICE_BOOK' });
      // gpt-4.1 in the package: $2 input, $0.5 cache read, $8 output per million.
      expect(before.cost.total).toBe(((1_000 * 2 + 4_000 * 0.5 + 50 * 8) / 1e6).toFixed(6));
    });

    it('applies the long-context tier by the whole prompt, cache included, as the package does', async () => {
      const res = await usage(f.users.root.token, ', groupBy: [MODEL]', { filter: { model: 'claude-sonnet-4-5' } });
      const a3 = ROWS.find((r) => r.key === 'a3')!;
      const expected = a3.usages.reduce((s, u) => s + expectedMicros(a3, u)!.micros, 0);
      expect(Math.abs(Number(res.body.data.usage.totals.cost.total) * 1e6 - expected)).toBeLessThanOrEqual(8);
    });

    it('counts a model without a price as unpriced, never as $0', async () => {
      const res = await usage(f.users.root.token, ', groupBy: [PROVIDER]');
      const copilot = res.body.data.usage.groups.find((g: any) => g.provider === 'copilot');
      expect(copilot.figures.cost).toMatchObject({ total: '0.000000', unpricedRequests: 1, unpricedTokens: 110, source: 'NONE' });
    });

    it('counts a request once when several of its usages lack a price, and still prices its other usage', async () => {
      const res = await gql(app(), `query($id: UUID!) { interception(id: $id) { cost { total unpricedRequests unpricedTokens source } } }`, { id: f.ids.b4 }, f.users.root.token);
      // The priced usage: 1,000 input at $1 and 100 output at $4 per million.
      expect(res.body.data.interception.cost).toEqual({ total: '0.001400', unpricedRequests: 1, unpricedTokens: 330, source: 'PRICE_BOOK' });
      const u = await usage(f.users.root.token, ', groupBy: [MODEL]', { filter: { provider: 'openai', startedAfter: '2026-03-20T10:30:00Z' } });
      expect(u.body.data.usage.totals.cost).toMatchObject({ total: '0.001400', unpricedRequests: 1, unpricedTokens: 330 });
    });

    it('cuts DAY buckets at New York midnight: the spring-forward day has 23 hours and empty days are present', async () => {
      const res = await usage(f.users.root.token, ', bucket: DAY, timeZone: "America/New_York"', {
        filter: { startedAfter: '2026-03-07T05:00:00Z', startedBefore: '2026-03-11T03:59:59Z' },
      });
      expect(res.body.errors).toBeUndefined();
      const groups = res.body.data.usage.groups;
      expect(groups.map((g: any) => [g.bucketStart, g.bucketEnd, g.figures.requests])).toEqual([
        ['2026-03-07T05:00:00Z', '2026-03-08T05:00:00Z', 0],
        ['2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 4],
        ['2026-03-09T04:00:00Z', '2026-03-10T04:00:00Z', 0],
        ['2026-03-10T04:00:00Z', '2026-03-11T04:00:00Z', 0],
      ]);
      // b1 starts 2026-03-09T01:00Z: still March 8 in New York, hence 4 on that day and none on the 9th.
      expect(groups[0].figures.cost.total).toBe('0.000000');
    });

    it('gives the spring-forward day 23 HOUR buckets, each a real hour', async () => {
      const res = await usage(f.users.root.token, ', groupBy: [], bucket: HOUR, timeZone: "America/New_York"', {
        filter: { startedAfter: '2026-03-08T05:00:00Z', startedBefore: '2026-03-09T03:59:59Z' },
      });
      const groups = res.body.data.usage.groups;
      expect(groups).toHaveLength(23);
      for (const g of groups) expect(Date.parse(g.bucketEnd) - Date.parse(g.bucketStart)).toBe(3_600_000);
      expect(groups.reduce((s: number, g: any) => s + g.figures.requests, 0)).toBe(res.body.data.usage.totals.requests);
    });

    it('shows a member only their own usage, and grouping by INITIATOR reveals nobody else', async () => {
      const res = await usage(f.users.alice.token, ', groupBy: [INITIATOR]');
      const own = expectedTotals(ROWS.filter((r) => r.who === 'alice'));
      expect(res.body.data.usage.totals).toMatchObject({ requests: own.requests, users: 1, inputTokens: Number(own.inputTokens) });
      expect(res.body.data.usage.groups.map((g: any) => g.initiator.username)).toEqual(['alice']);
    });

    it('shows an auditor every user', async () => {
      const res = await usage(f.users.audrey.token, ', groupBy: [INITIATOR], orderBy: { field: REQUESTS, direction: DESC }');
      const seen = res.body.data.usage.groups.map((g: any) => [g.initiator.username, g.figures.requests]);
      expect(seen.sort()).toEqual([['alice', 3], ['bob', 3]]);
    });

    it('orders groups by cost and keeps the first N, totals still over everything', async () => {
      const all = await usage(f.users.root.token, ', groupBy: [MODEL, PROVIDER]');
      const top = await usage(f.users.root.token, ', groupBy: [MODEL, PROVIDER], orderBy: { field: COST, direction: DESC }, first: 2');
      const byCost = [...all.body.data.usage.groups].sort((a: any, b: any) => Number(b.figures.cost.total) - Number(a.figures.cost.total));
      expect(top.body.data.usage.groups.map((g: any) => g.model)).toEqual(byCost.slice(0, 2).map((g: any) => g.model));
      expect(top.body.data.usage.totals).toEqual(all.body.data.usage.totals);
    });

    it('folds no client and "Unknown" into one CLIENT key', async () => {
      const res = await usage(f.users.root.token, ', groupBy: [CLIENT]');
      expect(res.body.data.usage.groups.map((g: any) => [g.client, g.figures.requests])).toEqual([['Claude Code', 3], ['Unknown', 3]]);
    });

    it('refuses an unknown time zone, a repeated dimension and HOUR buckets over a year', async () => {
      const zone = await usage(f.users.root.token, ', bucket: DAY, timeZone: "Mars/Olympus"');
      expect(zone.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'timeZone' });
      const twice = await usage(f.users.root.token, ', groupBy: [MODEL, MODEL]');
      expect(twice.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'groupBy' });
      const huge = await usage(f.users.root.token, ', bucket: HOUR', { filter: { startedAfter: '2025-01-01T00:00:00Z', startedBefore: '2026-01-01T00:00:00Z' } });
      expect(huge.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'buckets', max: 1000 });
      expect(huge.body.errors[0].message).toMatch(/HOUR buckets over this range/);
    });

    it('computes only what is selected, and each figure alone equals that figure in a full selection', async () => {
      const args = ', groupBy: [MODEL, INITIATOR], orderBy: { field: TOTAL_TOKENS, direction: DESC }';
      const full = (await usage(f.users.root.token, args)).body.data.usage;
      const figures = ['requests', 'sessions', 'users', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'cacheHitRatio',
        'durationMs { p50 p95 p99 }', 'toolCalls', 'injectedToolCalls', 'toolErrors', 'cost { total cacheSavings unpricedRequests unpricedTokens source }'];
      for (const figure of figures) {
        const name = figure.split(' ')[0];
        const alone = await gql(app(), `{ usage(${args.slice(2)}) { groups { model initiator { username } figures { ${figure} } } } }`, undefined, f.users.root.token);
        expect(alone.body.errors).toBeUndefined();
        // The full selection's value, cut to the sub-fields asked for here.
        const cut = (v: any, like: any) => (v && typeof v === 'object' ? Object.fromEntries(Object.keys(like).map((k) => [k, v[k]])) : v);
        const got = alone.body.data.usage.groups;
        expect(got, figure).toEqual(full.groups.map((g: any, n: number) => ({ model: g.model, initiator: g.initiator, figures: { [name]: cut(g.figures[name], got[n]?.figures[name]) } })));
        const totals = (await gql(app(), `{ usage { totals { ${figure} } } }`, undefined, f.users.root.token)).body.data.usage.totals;
        expect(totals[name], figure).toEqual(cut(full.totals[name], totals[name]));
      }
    });

    it('refuses a document asking for usage more than four times before running anything', async () => {
      const four = `{ ${[1, 2, 3, 4].map((n) => `u${n}: usage { totals { requests } }`).join(' ')} }`;
      expect((await gql(app(), four, undefined, f.users.root.token)).body.errors).toBeUndefined();
      const { result, statements } = await countStatements(ctx().db, () =>
        gql(app(), `{ ${[1, 2, 3, 4, 5].map((n) => `u${n}: usage { totals { requests } }`).join(' ')} }`, undefined, f.users.root.token));
      expect(result.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      expect(statements.filter((s) => s.includes('/* usage.'))).toEqual([]);
    });

    it('sends as many statements for many groups as for one', async () => {
      const args = ', groupBy: [MODEL, INITIATOR, CLIENT], bucket: DAY';
      const { result: small, statements: one } = await countStatements(ctx().db, () =>
        usage(f.users.root.token, args, { filter: { provider: 'copilot', startedAfter: '2026-03-09T00:00:00Z', startedBefore: '2026-03-09T12:00:00Z' } }));
      const { result, statements: many } = await countStatements(ctx().db, () =>
        usage(f.users.root.token, args, { filter: { startedAfter: '2026-03-01T00:00:00Z', startedBefore: '2026-03-31T00:00:00Z' } }));
      expect(small.body.data.usage.groups).toHaveLength(1);
      expect(result.body.data.usage.groups.length).toBeGreaterThan(20);
      expect(many.length).toBe(one.length);
    });

    it("adds each interception's cost up to the usage total, and a session's cost to the usage of that session", async () => {
      const list = await gql(app(), '{ interceptions(first: 100) { edges { node { cost { total unpricedRequests } } } } }', undefined, f.users.root.token);
      const sum = list.body.data.interceptions.edges.reduce((s: bigint, e: any) => s + BigInt(e.node.cost.total.replace('.', '')), 0n);
      const total = (await usage(f.users.root.token, '')).body.data.usage.totals.cost.total;
      expect(sum).toBe(BigInt(total.replace('.', '')));
      const sessions = await gql(app(), '{ sessions(first: 10) { edges { node { sessionId initiator { username } cost { total } threads { edges { node { cost { total } } } } } } } }', undefined, f.users.root.token);
      for (const { node } of sessions.body.data.sessions.edges) {
        const u = await usage(f.users.root.token, '', { filter: { sessionId: node.sessionId, initiator: node.initiator.username } });
        expect(node.cost.total).toBe(u.body.data.usage.totals.cost.total);
        const threads = node.threads.edges.reduce((s: bigint, e: any) => s + BigInt(e.node.cost.total.replace('.', '')), 0n);
        expect(threads).toBe(BigInt(node.cost.total.replace('.', '')));
      }
    });
  },
  async (t) => {
    f = await writeFixture(t.db);
    const res = await gql(createApp({ db: t.db }), `mutation($input: ModelPriceInput!) { setModelPrice(input: $input) { uuid } }`, {
      input: {
        provider: OVERRIDE.provider, model: OVERRIDE.model, effectiveFrom: OVERRIDE.effectiveFrom, inputPrice: OVERRIDE.input,
        outputPrice: OVERRIDE.output, cacheReadPrice: OVERRIDE.cacheRead, cacheWritePrice: OVERRIDE.cacheWrite, note: 'negotiated',
      },
    }, f.users.root.token);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
  },
);
