/**
 * U1-U3: Query.usage at the bench's data size against the hand-written SQL floor, sequential
 * (one request at a time: these are dashboard queries, and the machine has 2 cores).
 *
 *   BENCH_DATABASE_URL=postgres://… node --import tsx bench/usage.ts
 *
 * The database must hold the bench's seeded data (`npm run bench` with BENCH_KEEP_PG=1, or the
 * `seed` command). The gateway runs in-process through createApp (GraphQL parsing, validation,
 * execution and JSON included, no HTTP); the floor is one statement per workload sent with the
 * same driver, given the same price table the gateway resolved, answering the same figures.
 */
import { writeFile } from 'node:fs/promises';
import { createApp } from '../src/app.ts';
import { createPostgresDb } from '../src/db/postgres.ts';
import { named, sql, type SqlFragment } from '../src/db/sql.ts';
import { createToken } from '../src/db/users.ts';
import { priceRelation } from '../src/domain/usage/priced-usages.ts';
import { priceBook } from '../src/prices/book.ts';
import { SchemaProbe } from '../src/db/schema-probe.ts';
import { prismaOver } from '../src/prices/prisma.ts';
import { median } from './lib/stats.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('set BENCH_DATABASE_URL to a seeded database');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const db = createPostgresDb({ url, max: 4 });
const prisma = prismaOver(db);
const app = createApp({ db, prisma });
const token = await createToken(db, 'admin', 3600, 'bench-usage');

const [range] = await db.query<{ first: string; last: string }>(named('bench.range')`
  SELECT min(started_at)::text AS first, max(started_at)::text AS last FROM aibridge_interceptions WHERE ended_at IS NOT NULL`);
const last = new Date(range!.last.replace(' ', 'T').replace(/\+00$/, 'Z'));
const day = (d: Date) => d.toISOString().slice(0, 10);
const since30 = new Date(last.getTime() - 30 * 86_400_000).toISOString();
const oneDay = new Date(last.getTime() - 86_400_000);
const u3From = `${day(oneDay)}T00:00:00Z`;
const u3To = `${day(oneDay)}T23:59:59.999999Z`;

const WORKLOADS = {
  U1: {
    what: 'usage(groupBy: [MODEL], bucket: DAY) over the whole range: requests, sessions, token sums, p50/p95 duration, cost',
    query: `{ usage(groupBy: [MODEL], bucket: DAY) { groups { model bucketStart figures { requests sessions inputTokens outputTokens cacheReadTokens cacheWriteTokens durationMs { p50 p95 } cost { total } } } } }`,
  },
  U2: {
    what: 'top 10 initiators by cost over the last 30 days',
    query: `{ usage(filter: { startedAfter: "${since30}" }, groupBy: [INITIATOR], orderBy: { field: COST, direction: DESC }, first: 10) { groups { initiator { username } figures { requests cost { total } } } } }`,
  },
  U3: {
    what: `the hourly series of one day (${day(oneDay)}, UTC)`,
    query: `{ usage(filter: { startedAfter: "${u3From}", startedBefore: "${u3To}" }, bucket: HOUR) { groups { bucketStart figures { requests inputTokens outputTokens durationMs { p50 p95 } cost { total } } } } }`,
  },
} as const;

async function gateway(query: string): Promise<number> {
  const started = performance.now();
  const res = await app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return performance.now() - started;
}

// The floor's price table: what the gateway's book resolves for every model present.
const models = await db.query<{ provider: string; model: string }>(named('bench.models')`SELECT DISTINCT provider, model FROM aibridge_interceptions`);
// With Coder's price table where the database has one, as the gateway prices (src/prices/resolve.ts).
const prices = priceRelation(await priceBook(prisma, { db, schema: new SchemaProbe(db) }).periodsFor(models));

/** Per interception: token sums and cost (Coder's per-row floor), the join the floor needs. */
const perInterception = (where: SqlFragment) => sql`
  SELECT t.interception_id AS id, sum(t.input_tokens) AS tin, sum(t.output_tokens) AS tout,
         sum(t.cache_read_input_tokens) AS tcr, sum(t.cache_write_input_tokens) AS tcw,
         sum(div(t.input_tokens::numeric * p.in_p, 1000000) + div(t.output_tokens::numeric * p.out_p, 1000000)
           + div(t.cache_read_input_tokens::numeric * p.cr_p, 1000000) + div(t.cache_write_input_tokens::numeric * p.cw_p, 1000000)) AS cost
    FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
    LEFT JOIN (${prices}) p ON p.provider = i.provider AND p.model = i.model AND i.started_at >= p.valid_from AND i.started_at < p.valid_to
   WHERE ${where} GROUP BY 1`;

const FLOORS = {
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

async function floor(name: keyof typeof FLOORS): Promise<number> {
  const started = performance.now();
  await db.query(FLOORS[name]);
  return performance.now() - started;
}

async function measure(fn: () => Promise<number>): Promise<{ p50: number; min: number }> {
  await fn();
  await fn();
  const times: number[] = [];
  for (let n = 0; n < RUNS; n++) times.push(await fn());
  return { p50: median(times), min: Math.min(...times) };
}

/** U2's answer from both sides, compared: the same ten users with the same costs, to the micro-dollar. */
async function sameAnswer(): Promise<boolean> {
  const res = await app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
    body: JSON.stringify({ query: WORKLOADS.U2.query.replace('initiator { username }', 'initiator { uuid }').replace('cost { total }', 'cost { total }') }),
  });
  const body = (await res.json()) as { data: { usage: { groups: { initiator: { uuid: string }; figures: { cost: { total: string } } }[] } } };
  const gatewaySide = body.data.usage.groups.map((g) => `${g.initiator.uuid} ${g.figures.cost.total.replace('.', '').replace(/^0+(?=\d)/, '')}`);
  const floorSide = (await db.query<{ initiator_id: string; cost: string }>(FLOORS.U2)).map((r) => `${r.initiator_id} ${r.cost.replace(/\.0*$/, '')}`);
  return JSON.stringify(gatewaySide) === JSON.stringify(floorSide);
}

const [count] = await db.query<{ n: string }>(named('bench.count')`SELECT count(*)::text AS n FROM aibridge_interceptions`);
const lines = [
  `# Usage workloads (U1-U3), ${new Date().toISOString().slice(0, 10)}`,
  '',
  `${Number(count!.n).toLocaleString('en-US')} interceptions; sequential, ${RUNS} measured runs after 2 warm-ups; milliseconds.`,
  'Gateway: in-process createApp (GraphQL + SQL + JSON, no HTTP), live computation (no roll-ups).',
  'Floor: one hand-written statement per workload with the same price table (tokens joined per interception, then grouped; percentile_cont).',
  '',
  '| workload | what | gateway p50 | gateway min | floor p50 | floor min | gateway / floor |',
  '|---|---|---|---|---|---|---|',
];
for (const name of Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[]) {
  const g = await measure(() => gateway(WORKLOADS[name].query));
  const f = await measure(() => floor(name));
  lines.push(`| ${name} | ${WORKLOADS[name].what} | ${g.p50.toFixed(0)} | ${g.min.toFixed(0)} | ${f.p50.toFixed(0)} | ${f.min.toFixed(0)} | ${(g.p50 / f.p50).toFixed(2)}x |`);
  console.log(lines.at(-1));
}
lines.push('', `U2 answer identical on both sides (users and costs to the micro-dollar): ${(await sameAnswer()) ? 'yes' : 'NO'}.`);
const out = process.env.BENCH_OUT;
if (out) await writeFile(out, `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
await prisma.$disconnect();
await db.close();
