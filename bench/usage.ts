/**
 * U1-U3: Query.usage at the bench's data size, sequential (one request at a time: these are
 * dashboard queries, and the machine has 2 cores), side by side in one run:
 *
 *   U1..U3    the gateway computing live (no roll-ups: an app without the gateway's store)
 *   FU1..FU3  the hand-written SQL floor of the same answer
 *   U1R..U3R  the gateway with roll-ups of closed hours (src/rollups) after a refresh
 *   PU1..PU3  PostGraphile 5 + @graphile/pg-aggregates: the closest honest equivalent
 *
 *   BENCH_DATABASE_URL=postgres://… node --import tsx bench/usage.ts
 *
 * `npm run bench` runs this too (usageBench below). The database must hold the bench's seeded
 * data and the gateway's migrations (the bench's `token create` applies them). The gateway runs
 * in-process through createApp (GraphQL parsing, validation, execution and JSON included, no
 * HTTP); the floor is one statement per workload sent with the same driver, given the same price
 * table the gateway resolved; the peer is a server over HTTP (its own process).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { createPostgresDb } from '../src/db/postgres.ts';
import { named, sql, type SqlFragment, type Statement } from '../src/db/sql.ts';
import type { UsageQuery } from '../src/domain/usage/query.ts';
import { ALL_PARTS } from '../src/domain/usage/report.ts';
import { createToken } from '../src/db/users.ts';
import { priceRelation } from '../src/domain/usage/priced-usages.ts';
import { priceBook } from '../src/prices/book.ts';
import { SchemaProbe } from '../src/db/schema-probe.ts';
import { prismaOver } from '../src/prices/prisma.ts';
import { RollupCache } from '../src/rollups/cache.ts';
import { rolledUsageReport } from '../src/rollups/read.ts';
import { refreshRollups } from '../src/rollups/refresh.ts';
import { freePort, startProcess, stopProcess } from './lib/proc.ts';
import { median } from './lib/stats.ts';

export interface UsageBenchOptions {
  url: string;
  runs?: number;
  want?: (key: string) => boolean;
  log?: (line: string) => void;
}

const BENCH = import.meta.dirname;

/** The keys usageBench measures (BENCH_ONLY selects among them). */
export const USAGE_KEYS = ['U1', 'U2', 'U3', 'FU1', 'FU2', 'FU3', 'U1R', 'U2R', 'U3R', 'PU1', 'PU1T', 'PU2', 'PU3'];

/** The report section (markdown lines) of the usage workloads. */
export async function usageBench(o: UsageBenchOptions): Promise<string[]> {
  const RUNS = o.runs ?? 7;
  const want = o.want ?? (() => true);
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const db = createPostgresDb({ url: o.url, max: 4 });
  const prisma = prismaOver(db);
  const schema = new SchemaProbe(db);
  // The floor: plain pg with the gateway's session settings, without its 30 s statement timeout.
  const floorPool = new pg.Pool({ connectionString: o.url, max: 1, options: '-c TimeZone=UTC -c DateStyle=ISO -c jit=off' });
  try {
    const token = await createToken(db, 'admin', 3600, 'bench-usage');
    const [range] = await db.query<{ last: string }>(named('bench.range')`
      SELECT max(started_at)::text AS last FROM aibridge_interceptions WHERE ended_at IS NOT NULL`);
    const last = new Date(range!.last.replace(' ', 'T').replace(/\+00$/, 'Z'));
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const since30 = new Date(last.getTime() - 30 * 86_400_000).toISOString();
    const oneDay = new Date(last.getTime() - 86_400_000);
    const u3From = `${day(oneDay)}T00:00:00Z`;
    const u3To = `${day(oneDay)}T23:59:59.999999Z`;

    const WORKLOADS: Record<'U1' | 'U2' | 'U3', { what: string; query: string; domain: UsageQuery }> = {
      U1: {
        what: 'usage(groupBy: [MODEL], bucket: DAY) over the whole range: requests, sessions, token sums, p50/p95 duration, cost',
        query: `{ usage(groupBy: [MODEL], bucket: DAY) { groups { model bucketStart figures { requests sessions inputTokens outputTokens cacheReadTokens cacheWriteTokens durationMs { p50 p95 } cost { total } } } } }`,
        domain: { filter: {}, groupBy: ['MODEL'], bucket: 'DAY', timeZone: 'UTC' },
      },
      U2: {
        what: 'top 10 initiators by cost over the last 30 days',
        query: `{ usage(filter: { startedAfter: "${since30}" }, groupBy: [INITIATOR], orderBy: { field: COST, direction: DESC }, first: 10) { groups { initiator { username } figures { requests cost { total } } } } }`,
        domain: { filter: { startedAfter: since30 }, groupBy: ['INITIATOR'], timeZone: 'UTC', orderBy: { field: 'COST', direction: 'DESC' }, first: 10 },
      },
      U3: {
        what: `the hourly series of one day (${day(oneDay)}, UTC)`,
        query: `{ usage(filter: { startedAfter: "${u3From}", startedBefore: "${u3To}" }, bucket: HOUR) { groups { bucketStart figures { requests inputTokens outputTokens durationMs { p50 p95 } cost { total } } } } }`,
        domain: { filter: { startedAfter: u3From, startedBefore: u3To }, groupBy: [], bucket: 'HOUR', timeZone: 'UTC' },
      },
    };
    type Key = keyof typeof WORKLOADS;
    const KEYS = Object.keys(WORKLOADS) as Key[];

    // Live: no store, so no roll-ups (and package prices only: the bench database has no overrides).
    const liveApp = createApp({ db, prisma: null });
    const rolledApp = createApp({ db, prisma });
    const ask = async (app: typeof liveApp, query: string): Promise<{ ms: number; body: string }> => {
      const started = performance.now();
      const res = await app.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
        body: JSON.stringify({ query }),
      });
      const body = await res.text();
      const ms = performance.now() - started;
      if ((JSON.parse(body) as { errors?: unknown }).errors) throw new Error(body.slice(0, 500));
      return { ms, body };
    };

    // The floor's price table: what the gateway's book resolves for every model present.
    const models = await db.query<{ provider: string; model: string }>(named('bench.models')`SELECT DISTINCT provider, model FROM aibridge_interceptions`);
    const prices = priceRelation(await priceBook(prisma, { db, schema }).periodsFor(models));
    /** Per interception: token sums and cost (Coder's per-row floor), the join the floor needs. */
    const perInterception = (where: SqlFragment) => sql`
      SELECT t.interception_id AS id, sum(t.input_tokens) AS tin, sum(t.output_tokens) AS tout,
             sum(t.cache_read_input_tokens) AS tcr, sum(t.cache_write_input_tokens) AS tcw,
             sum(div(t.input_tokens::numeric * p.in_p, 1000000) + div(t.output_tokens::numeric * p.out_p, 1000000)
               + div(t.cache_read_input_tokens::numeric * p.cr_p, 1000000) + div(t.cache_write_input_tokens::numeric * p.cw_p, 1000000)) AS cost
        FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
        LEFT JOIN (${prices}) p ON p.provider = i.provider AND p.model = i.model AND i.started_at >= p.valid_from AND i.started_at < p.valid_to
       WHERE ${where} GROUP BY 1`;
    const FLOORS: Record<Key, Statement> = {
      U1: named('floor.u1')`
        WITH c AS (${perInterception(sql`i.ended_at IS NOT NULL`)})
        SELECT i.model, date_trunc('day', i.started_at, 'UTC') AS day, count(*) AS requests,
               count(DISTINCT (i.session_id, i.initiator_id)) AS sessions, sum(c.tin), sum(c.tout), sum(c.tcr), sum(c.tcw),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY i.ended_at - i.started_at),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY i.ended_at - i.started_at), sum(c.cost)
          FROM aibridge_interceptions i LEFT JOIN c ON c.id = i.id WHERE i.ended_at IS NOT NULL GROUP BY 1, 2`,
      U2: named('floor.u2')`
        WITH c AS (${perInterception(sql`i.ended_at IS NOT NULL AND i.started_at >= ${since30}::timestamptz`)})
        SELECT i.initiator_id, count(*) AS requests, coalesce(sum(c.cost), 0) AS cost
          FROM aibridge_interceptions i LEFT JOIN c ON c.id = i.id
         WHERE i.ended_at IS NOT NULL AND i.started_at >= ${since30}::timestamptz
         GROUP BY 1 ORDER BY 3 DESC LIMIT 10`,
      U3: named('floor.u3')`
        WITH c AS (${perInterception(sql`i.ended_at IS NOT NULL AND i.started_at BETWEEN ${u3From}::timestamptz AND ${u3To}::timestamptz`)})
        SELECT date_trunc('hour', i.started_at) AS hour, count(*), sum(c.tin), sum(c.tout),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY i.ended_at - i.started_at),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY i.ended_at - i.started_at), sum(c.cost)
          FROM aibridge_interceptions i LEFT JOIN c ON c.id = i.id
         WHERE i.ended_at IS NOT NULL AND i.started_at BETWEEN ${u3From}::timestamptz AND ${u3To}::timestamptz GROUP BY 1`,
    };

    const measure = async (fn: () => Promise<number>): Promise<{ p50: number; min: number }> => {
      await fn();
      await fn();
      const times: number[] = [];
      for (let n = 0; n < RUNS; n++) times.push(await fn());
      return { p50: median(times), min: Math.min(...times) };
    };
    const results: { key: string; what: string; p50: number; min: number; note?: string }[] = [];
    const liveAnswers = new Map<Key, string>();

    for (const k of KEYS) {
      if (want(k)) {
        liveAnswers.set(k, (await ask(liveApp, WORKLOADS[k].query)).body);
        const r = await measure(async () => (await ask(liveApp, WORKLOADS[k].query)).ms);
        results.push({ key: k, what: `${WORKLOADS[k].what} — live`, ...r });
        log(`${k} live: p50 ${r.p50.toFixed(0)} ms`);
      }
      if (want(`FU${k.slice(1)}`)) {
        const r = await measure(async () => {
          const t = performance.now();
          await floorPool.query(FLOORS[k].text, [...FLOORS[k].values]);
          return performance.now() - t;
        });
        results.push({ key: `FU${k.slice(1)}`, what: `${k}: hand-written SQL floor`, ...r });
        log(`FU${k.slice(1)} floor: p50 ${r.p50.toFixed(0)} ms`);
      }
    }

    let refreshNote = 'roll-ups not measured';
    const rolledKeys = KEYS.filter((k) => want(`${k}R`));
    if (rolledKeys.length) {
      const t = performance.now();
      const refreshed = await refreshRollups(db, prisma, priceBook(prisma, { db, schema }));
      const again = performance.now();
      const second = await refreshRollups(db, prisma, priceBook(prisma, { db, schema }));
      const [size] = await db.query<{ rows: string; periods: string; mib: string }>(named('bench.rollupSize')`
        SELECT (SELECT count(*) FROM gateway_usage_rollups)::text AS rows, (SELECT count(*) FROM gateway_usage_rollup_periods)::text AS periods,
               (pg_total_relation_size('gateway_usage_rollups') / 1048576)::text AS mib`);
      refreshNote = `Refresh: ${(again - t).toFixed(0)} ms (${refreshed.rolled} hours rolled, ${refreshed.open} open), then an incremental one with nothing new: `
        + `${(performance.now() - again).toFixed(0)} ms (${second.rolled} rolled). Roll-up store: ${size!.rows} grain rows over ${size!.periods} hours, ${size!.mib} MiB.`;
      log(refreshNote);
      // The app's in-memory copy of the closed hours (src/rollups/cache.ts) fills at its first
      // roll-up answer (the cold figure below); a copy of our own tells why and how big it is.
      const probe = new RollupCache();
      // What the GraphQL documents select: no split of costs by price source (which answers live).
      const BENCH_PARTS = { ...ALL_PARTS, sources: false };
      const heap = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
      const heapBefore = heap();
      for (const k of rolledKeys) {
        if (!liveAnswers.has(k)) liveAnswers.set(k, (await ask(liveApp, WORKLOADS[k].query)).body);
        const why = (await rolledUsageReport(db, prisma, probe, { id: '', username: 'admin', name: '', avatarUrl: '', roles: [], seesAll: true }, priceBook(prisma, { db, schema }), WORKLOADS[k].domain, BENCH_PARTS)).live;
        const cold = await ask(rolledApp, WORKLOADS[k].query);
        const same = cold.body === liveAnswers.get(k) ? 'answer byte-identical to live' : 'ANSWER DIFFERS FROM LIVE';
        const r = await measure(async () => (await ask(rolledApp, WORKLOADS[k].query)).ms);
        results.push({ key: `${k}R`, what: `${k} with roll-ups`, ...r, note: `${why === null ? 'from roll-ups + live edge' : `answered live (${why})`}; ${same}; first answer ${cold.ms.toFixed(0)} ms` });
        log(`${k}R: p50 ${r.p50.toFixed(0)} ms (${results.at(-1)!.note})`);
      }
      refreshNote += ` In-memory copy of the closed hours: ${probe.hourCount} hours, ${(probe.bytes() / 1048576).toFixed(1)} MiB in typed arrays`
        + ` (JS heap + array buffers grew ${((heap() - heapBefore) / 1048576).toFixed(0)} MiB while it and the app's own copy filled, dictionaries and garbage included).`;
    }

    const peerKeys = ['PU1', 'PU1T', 'PU2', 'PU3'].filter(want);
    const peerWhat: Record<string, { what: string; query: string }> = {
      PU1: {
        what: 'peer: requests and distinct session ids per model per day (groupedAggregates MODEL × STARTED_AT_TRUNCATED_TO_DAY; no tokens, percentiles or cost)',
        query: '{ allAibridgeInterceptions { groupedAggregates(groupBy: [MODEL, STARTED_AT_TRUNCATED_TO_DAY]) { keys distinctCount { rowId sessionId } } } }',
      },
      PU1T: {
        what: 'peer: token sums over all usages (token usages offer no day grouping: only indexed INTERCEPTION_ID/PROVIDER_RESPONSE_ID)',
        query: '{ allAibridgeTokenUsages { aggregates { sum { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens } } } }',
      },
      PU2: {
        what: 'peer: requests per initiator over the whole range (no date range filter, no cost, no ranking)',
        query: '{ allAibridgeInterceptions { groupedAggregates(groupBy: [INITIATOR_ID]) { keys distinctCount { rowId } } } }',
      },
      PU3: {
        what: 'peer: requests per hour over the whole range (no date range filter: every hour, not one day)',
        query: '{ allAibridgeInterceptions { groupedAggregates(groupBy: [STARTED_AT_TRUNCATED_TO_HOUR]) { keys distinctCount { rowId } } } }',
      },
    };
    if (peerKeys.length) {
      const port = await freePort();
      let peer: Awaited<ReturnType<typeof startProcess>> | undefined;
      try {
        peer = await startProcess(process.execPath,
          ['--require', './with-resolvers.cjs', '../node_modules/postgraphile/dist/cli-run.js', '-C', 'aggregates.config.mjs'], {
            cwd: path.join(BENCH, 'peer'),
            env: { ...process.env, DATABASE_URL: o.url, PEER_PORT: String(port), GRAPHILE_ENV: 'production' },
            ready: /Server listening on port \d+/,
            timeoutMs: 120_000,
          });
        const post = async (query: string) => {
          const started = performance.now();
          const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
          const body = await res.text();
          if (!res.ok || (JSON.parse(body) as { errors?: unknown }).errors) throw new Error(body.slice(0, 300));
          return performance.now() - started;
        };
        for (const k of peerKeys) {
          try {
            const r = await measure(() => post(peerWhat[k]!.query));
            results.push({ key: k, what: peerWhat[k]!.what, ...r });
            log(`${k}: p50 ${r.p50.toFixed(0)} ms`);
          } catch (err) {
            results.push({ key: k, what: peerWhat[k]!.what, p50: NaN, min: NaN, note: `not measured: ${(err as Error).message.slice(0, 200)}` });
          }
        }
      } catch (err) {
        for (const k of peerKeys) results.push({ key: k, what: peerWhat[k]!.what, p50: NaN, min: NaN, note: `peer did not start: ${(err as Error).message.slice(0, 200)}` });
      } finally {
        if (peer) await stopProcess(peer.child);
      }
    }

    const [count] = await db.query<{ n: string }>(named('bench.count')`SELECT count(*)::text AS n FROM aibridge_interceptions`);
    const get = (key: string) => results.find((r) => r.key === key)?.p50;
    const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}x` : '–');
    const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
    const goals = [
      ['U1R p50', get('U1R'), 300], ['U2R p50', get('U2R'), 150], ['U3R p50', get('U3R'), 100],
    ] as const;
    return [
      `## Usage workloads (U1-U3)`,
      '',
      `${Number(count!.n).toLocaleString('en-US')} interceptions; sequential, ${RUNS} measured runs after 2 warm-ups; milliseconds. `
      + 'Gateway in-process (createApp: GraphQL + SQL + JSON, no HTTP); peer over HTTP on the same machine.',
      refreshNote,
      '',
      '| key | what | p50 | min | note |',
      '|---|---|---|---|---|',
      ...results.map((r) => `| ${r.key} | ${r.what} | ${fmt(r.p50)} | ${fmt(r.min)} | ${r.note ?? ''} |`),
      '',
      '| ratio | value | goal |',
      '|---|---|---|',
      ...KEYS.map((k) => `| ${k} live / floor | ${ratio(get(k), get(`FU${k.slice(1)}`))} | ≤ 1.5x |`),
      ...KEYS.map((k) => `| ${k} live / with roll-ups | ${ratio(get(k), get(`${k}R`))} | – |`),
      ...goals.map(([name, v, goal]) => `| ${name} | ${v !== undefined ? `${v.toFixed(0)} ms` : '–'} | ≤ ${goal} ms: ${v === undefined ? 'not measured' : v <= goal ? 'met' : 'missed'} |`),
      '',
    ];
  } finally {
    await prisma.$disconnect();
    await db.close();
    await floorPool.end();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('set BENCH_DATABASE_URL to a seeded database');
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim().toUpperCase())) : null;
  const lines = await usageBench({ url, runs: Number(process.env.BENCH_RUNS ?? 7), want: (k) => !only || only.has(k) });
  const text = [`# Usage workloads, ${new Date().toISOString().slice(0, 10)}`, '', ...lines].join('\n');
  if (process.env.BENCH_OUT) await writeFile(process.env.BENCH_OUT, `${text}\n`);
  console.log(text);
}
