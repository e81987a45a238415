/**
 * T1 and FT1: Query.toolUsage grouped by MCP server and tool over the whole dataset, against
 * its hand-written SQL floor, sequential (one request at a time: a dashboard query, on 2 cores).
 * Part of `npm run bench` (BENCH_ONLY=T1,FT1 runs only these), or alone over a seeded database:
 *
 *   BENCH_DATABASE_URL=postgres://… BENCH_OUT=bench/results/<date>-tools.md node --import tsx bench/tool-usage.ts
 *
 * The gateway runs in-process through createApp (GraphQL parsing, validation, execution and
 * JSON included, no HTTP), as bench/usage.ts does; the floor is one statement sent with the same
 * driver, given the same price table the gateway resolved, answering the same figures, and both
 * answers are compared figure by figure.
 */
import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import type { Db } from '../src/db/db.ts';
import { createPostgresDb } from '../src/db/postgres.ts';
import { named, sql } from '../src/db/sql.ts';
import { createToken } from '../src/db/users.ts';
import { priceRelation } from '../src/domain/usage/priced-usages.ts';
import { priceBook } from '../src/prices/book.ts';
import { SchemaProbe } from '../src/db/schema-probe.ts';
import { prismaOver } from '../src/prices/prisma.ts';
import { median } from './lib/stats.ts';

export const T1_QUERY = `{ toolUsage(groupBy: [SERVER, TOOL]) { groups { serverUrl tool figures {
  calls sessions invocationErrors errorRate injectedShare inputTokens outputTokens cost { total } } } } }`;

export interface ToolBenchResult {
  /** Milliseconds per run, measured in turns after 2 warm-ups. */
  t1?: { p50: number; min: number };
  ft1?: { p50: number; min: number };
  /** Median over the rounds of T1 / FT1 (each round runs both, one after the other). */
  roundRatio?: number;
  /** Both sides answered the same groups with the same figures (cost to the micro-dollar). */
  sameAnswer?: boolean;
  lines: string[];
}

interface FloorRow {
  server_url: string;
  tool: string;
  calls: number;
  sessions: number;
  errors: number;
  error_rate: number | null;
  injected_share: number | null;
  tin: string;
  tout: string;
  cost: string;
}

/**
 * The floor, written by hand for this one question: the calls reduced per server, tool and
 * interception (what the tokens and cost must count once), the token usages priced with 64-bit
 * arithmetic and summed per interception, then both joined and grouped. No visibility, no
 * options, no totals, no long-context tier (no seeded prompt reaches one): only what T1 shows.
 */
function floorStatement(prices: ReturnType<typeof priceRelation>) {
  return named('floor.t1')`
    WITH k AS (
      SELECT coalesce(tu.server_url, '') AS server_url, tu.tool, tu.interception_id AS id, count(*) AS calls,
             count(*) FILTER (WHERE coalesce(tu.invocation_error, '') <> '') AS errors, count(*) FILTER (WHERE tu.injected) AS injected
        FROM aibridge_tool_usages tu GROUP BY 1, 2, 3
    ), c AS (
      SELECT t.interception_id AS id, sum(t.input_tokens) AS tin, sum(t.output_tokens) AS tout,
             -- A usage with a kind of token its price lacks is unpriced and adds nothing, as in the gateway.
             sum(CASE WHEN p.in_p IS NOT NULL AND p.out_p IS NOT NULL AND (t.cache_read_input_tokens = 0 OR p.cr_p IS NOT NULL)
                       AND (t.cache_write_input_tokens = 0 OR p.cw_p IS NOT NULL)
                      THEN t.input_tokens * p.in_p / 1000000 + t.output_tokens * p.out_p / 1000000
                         + t.cache_read_input_tokens * coalesce(p.cr_p, 0) / 1000000 + t.cache_write_input_tokens * coalesce(p.cw_p, 0) / 1000000 END) AS cost
        FROM aibridge_interceptions i JOIN aibridge_token_usages t ON t.interception_id = i.id
        LEFT JOIN (${prices}) p ON p.provider = i.provider AND p.model = i.model AND i.started_at >= p.valid_from AND i.started_at < p.valid_to
       WHERE i.ended_at IS NOT NULL AND EXISTS (SELECT 1 FROM aibridge_tool_usages x WHERE x.interception_id = i.id)
       GROUP BY 1
    )
    SELECT k.server_url, k.tool, sum(k.calls)::int AS calls, count(DISTINCT (i.session_id, i.initiator_id))::int AS sessions,
           sum(k.errors)::int AS errors, sum(k.errors)::float8 / sum(k.calls) AS error_rate, sum(k.injected)::float8 / sum(k.calls) AS injected_share,
           sum(c.tin)::text AS tin, sum(c.tout)::text AS tout, coalesce(sum(c.cost), 0)::text AS cost
      FROM k JOIN aibridge_interceptions i ON i.id = k.id AND i.ended_at IS NOT NULL LEFT JOIN c ON c.id = k.id
     GROUP BY 1, 2 ORDER BY 1, 2`;
}

/**
 * Two warm-ups each, then `runs` rounds running each workload once in turn: on a shared machine
 * the load drifts over minutes, and taking turns exposes both sides to the same drift.
 */
async function measureInTurns(fns: Record<string, () => Promise<number>>, runs: number): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let n = 0; n < 2; n++) for (const fn of Object.values(fns)) await fn();
  for (let n = 0; n < runs; n++) for (const [k, fn] of Object.entries(fns)) times[k]!.push(await fn());
  return times;
}

const summary = (xs: number[]) => ({ p50: median(xs), min: Math.min(...xs) });

/** Runs T1 and/or FT1 over the database at `url` and renders the results section. */
export async function toolUsageBench(opts: { url: string; runs: number; want: (key: string) => boolean; log: (line: string) => void }): Promise<ToolBenchResult> {
  const postgres = createPostgresDb({ url: opts.url, max: 4 });
  // Both sides without the gateway's 30 s statement timeout: on the shared 2-core machine (load
  // average 20) both T1 and its floor outlasted it. Set before the pool opens a connection.
  postgres.pool.options.statement_timeout = 0;
  const db: Db = postgres;
  const prisma = prismaOver(db);
  const floorPool = new pg.Pool({ connectionString: opts.url, max: 1, options: '-c TimeZone=UTC -c DateStyle=ISO -c jit=off' });
  try {
    const app = createApp({ db, prisma });
    const token = await createToken(db, 'admin', 3600, 'bench-tools');
    // The floor's price table: what the gateway's book resolves for every model present.
    const models = await db.query<{ provider: string; model: string }>(named('bench.models')`SELECT DISTINCT provider, model FROM aibridge_interceptions`);
    const floorSql = floorStatement(priceRelation(await priceBook(prisma, { db, schema: new SchemaProbe(db) }).periodsFor(models)));
    const floor = async () => (await floorPool.query<FloorRow>({ text: floorSql.text, values: floorSql.values as unknown[] })).rows;

    const gatewayAnswer = async () => {
      const res = await app.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
        body: JSON.stringify({ query: T1_QUERY }),
      });
      const body = (await res.json()) as { errors?: unknown; data: { toolUsage: { groups: { serverUrl: string; tool: string; figures: Record<string, any> }[] } } };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data.toolUsage.groups;
    };
    const timed = (fn: () => Promise<unknown>) => async () => {
      const started = performance.now();
      await fn();
      return performance.now() - started;
    };

    const out: ToolBenchResult = { lines: [] };
    const fns: Record<string, () => Promise<number>> = {};
    if (opts.want('T1')) fns.T1 = timed(gatewayAnswer);
    if (opts.want('FT1')) fns.FT1 = timed(floor);
    opts.log(`${Object.keys(fns).join(' and ')}: toolUsage(groupBy: [SERVER, TOOL]) and its SQL floor, sequential, in turns`);
    const times = await measureInTurns(fns, opts.runs);
    if (times.T1) out.t1 = summary(times.T1);
    if (times.FT1) out.ft1 = summary(times.FT1);
    if (times.T1 && times.FT1) out.roundRatio = median(times.T1.map((t, n) => t / times.FT1![n]!));
    opts.log(`T1 p50 ${out.t1?.p50.toFixed(0) ?? '-'} ms, FT1 p50 ${out.ft1?.p50.toFixed(0) ?? '-'} ms`);
    if (out.t1 && out.ft1) {
      const gw = (await gatewayAnswer()).map((g) => {
        const f = g.figures;
        return [g.serverUrl, g.tool, f.calls, f.sessions, f.invocationErrors, f.errorRate, f.injectedShare, String(f.inputTokens), String(f.outputTokens), f.cost.total.replace('.', '').replace(/^0+(?=\d)/, '')];
      });
      const fl = (await floor()).map((r) =>
        [r.server_url, r.tool, r.calls, r.sessions, r.errors, r.error_rate, r.injected_share, r.tin, r.tout, r.cost.replace(/\.0*$/, '')]);
      out.sameAnswer = JSON.stringify(gw) === JSON.stringify(fl);
    }

    const [count] = await db.query<{ n: string; calls: string }>(named('bench.toolCounts')`
      SELECT (SELECT count(*) FROM aibridge_interceptions)::text AS n, (SELECT count(*) FROM aibridge_tool_usages)::text AS calls`);
    const row = (key: string, what: string, r?: { p50: number; min: number }) => (r ? `| ${key} | ${what} | ${r.p50.toFixed(0)} | ${r.min.toFixed(0)} |` : null);
    const ratio = out.t1 && out.ft1 ? out.t1.p50 / out.ft1.p50 : undefined;
    out.lines = [
      '## Tool analytics (T1, FT1)',
      '',
      `${Number(count!.n).toLocaleString('en-US')} interceptions, ${Number(count!.calls).toLocaleString('en-US')} tool calls; sequential, ${opts.runs} measured rounds (T1 then FT1) after 2 warm-ups each; milliseconds. The machine is shared (2 cores, other people's tests running): absolute times are inflated and noisy, the ratio is the point.`,
      'T1: `toolUsage(groupBy: [SERVER, TOOL])` with calls, sessions, invocation errors, error rate, injected share, input/output tokens and cost, in-process createApp (GraphQL + SQL + JSON, no HTTP), owner token.',
      'FT1: one hand-written statement for the same figures with the same price table (bench/tool-usage.ts).',
      '',
      '| workload | what | p50 | min |',
      '|---|---|---:|---:|',
      row('T1', 'toolUsage by server and tool', out.t1),
      row('FT1', 'its SQL floor', out.ft1),
      '',
      ratio !== undefined ? `T1 / FT1 (p50): ${ratio.toFixed(2)}x, target ≤ 1.5x: ${ratio <= 1.5 ? 'met' : '**missed**'}. Median of the per-round ratios: ${out.roundRatio!.toFixed(2)}x.` : '',
      out.sameAnswer !== undefined ? `Same groups and figures on both sides (cost to the micro-dollar): ${out.sameAnswer ? 'yes' : '**NO**'}.` : '',
    ].filter((l): l is string => l !== null);
    return out;
  } finally {
    await floorPool.end();
    await prisma.$disconnect();
    await db.close();
  }
}

if (import.meta.filename === process.argv[1]) {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('set BENCH_DATABASE_URL to a seeded database');
  const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim().toUpperCase())) : null;
  const result = await toolUsageBench({
    url,
    runs: Number(process.env.BENCH_RUNS ?? 5),
    want: (key) => !only || only.has(key),
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
  });
  const text = `${result.lines.join('\n')}\n`;
  if (process.env.BENCH_OUT) await writeFile(process.env.BENCH_OUT, `# Tool analytics, ${new Date().toISOString().slice(0, 10)}\n\n${text}`);
  process.stdout.write(text);
}
