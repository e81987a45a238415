/**
 * `npm run bench`: the gateway side by side with PostGraphile 5 and the raw-SQL floor at 1M
 * interceptions. Starts a throwaway PostgreSQL under bench/.pgdata (loopback only, kept between
 * runs: only the first run seeds), runs each workload for the same time at the same concurrency
 * against the gateway started as a child process, and writes bench/results/<date>.md.
 *
 * Environment (all optional):
 *   BENCH_INTERCEPTIONS  dataset size (1000000)
 *   BENCH_DURATION       seconds measured per workload (12)
 *   BENCH_WARMUP         seconds of unrecorded load before each (3)
 *   BENCH_CONNECTIONS    concurrent connections (10, the gateway's default pool size)
 *   BENCH_ONLY           comma-separated workload keys, e.g. W1,W4,P4,F1 (all); T1,FT1: tool analytics (./tool-usage.ts);
 *                        E1,E2,EC: the export (./export.ts); U1..U3, U1R.., FU1.., PU1..: usage (./usage.ts)
 *   BENCH_PROFILE        1: run the gateway with --cpu-prof; profiles land in bench/profiles/
 *   BENCH_NO_EMBEDDED    1: skip the embedded start/restart timing
 *   BENCH_KEEP_PG        1: leave the PostgreSQL cluster running afterwards
 *   BENCH_LABEL          results file bench/results/<date>-<label>.md (keeps earlier runs of the day)
 *   BENCH_PG_JIT         off: PostgreSQL's JIT disabled for the whole database (default: PostgreSQL's
 *                        own default, on). The gateway, the EXPLAIN table and the floor always run
 *                        with jit=off (the gateway sets it); this changes what the peer (P4) gets
 *
 * The gateway runs from the compiled build (`npm run build`, then `node dist/main.js`), as
 * `npm start` runs it. W3, W4 and their floors and peer run as an admin pointing the gateway at
 * Coder's database gets it: READ_ONLY=1 and without the project's extra indexes (CODER_ONLY).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EXPORT_KEYS, exportBench, renderExportSection, type ExportMeasure } from './export.ts';
import { captureRequest, recordingDb, replayer, type Capture } from './lib/capture.ts';
import { loadHttp, loadLoop, type LoadOptions } from './lib/load.ts';
import { freePort, peakRssMiB, run, startProcess, stopAllChildren, stopProcess, type Started } from './lib/proc.ts';
import { fixed, median, ms, type LoadResult } from './lib/stats.ts';
import { WORKLOADS, type Workload } from './lib/workloads.ts';
import { toolUsageBench } from './tool-usage.ts';
import { USAGE_KEYS, usageBench } from './usage.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BENCH = path.join(ROOT, 'bench');
const PGDATA = path.join(BENCH, '.pgdata');
const env = process.env;
const N = Number(env.BENCH_INTERCEPTIONS ?? 1_000_000);
const LOAD: LoadOptions = {
  duration: Number(env.BENCH_DURATION ?? 12),
  warmup: Number(env.BENCH_WARMUP ?? 3),
  connections: Number(env.BENCH_CONNECTIONS ?? 10),
};
const ONLY = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim().toUpperCase())) : null;
const want = (key: string) => !ONLY || ONLY.has(key);
const PROFILE = env.BENCH_PROFILE === '1';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const NODE = process.execPath;
const MAIN = ['dist/main.js'];

/**
 * Workloads measured over Coder's own schema as an admin gets it: the gateway in READ_ONLY mode
 * (no migrations) and the project's extra indexes dropped for them (restored afterwards; every
 * run restores them first, in case an interrupted run left them dropped).
 */
const CODER_ONLY = new Set(['W3', 'W4', 'P4', 'F3', 'F4']);
const EXTRA_INDEXES = path.join(ROOT, 'prisma', 'migrations', '20261122020000_session_and_prompt_time_indexes', 'migration.sql');

interface Row {
  key: string;
  title: string;
  result?: LoadResult;
  statements?: number;
  rssMiB?: number;
  /** One request with nothing else running: median of 3, ms. */
  aloneMs?: number;
  note?: string;
}

/** Median latency of 3 sequential requests (the server otherwise idle). */
async function alone(w: { url: string; method: string; headers: Record<string, string>; body?: string }): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await (await fetch(w.url, { method: w.method, headers: w.headers, body: w.body })).arrayBuffer();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL and the dataset

async function startPostgres(): Promise<string> {
  mkdirSync(PGDATA, { recursive: true });
  // A cluster left running by an interrupted run would hold the data directory.
  await run('scripts/pg-cluster.sh', ['stop', PGDATA], { cwd: ROOT }).catch(() => {});
  const port = await freePort();
  const url = (await run('scripts/pg-cluster.sh', ['start', PGDATA, String(port)], { cwd: ROOT })).trim();
  log(`PostgreSQL at ${url} (data in bench/.pgdata)`);
  return url;
}

async function count(pool: pg.Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
}

async function ensureDataset(pool: pg.Pool, url: string): Promise<void> {
  // Two statements: a CASE around the count would still fail to plan on a new cluster.
  const [table] = (await pool.query<{ t: string | null }>(`SELECT to_regclass('aibridge_interceptions')::text AS t`)).rows;
  const existing = table?.t ? await count(pool, 'SELECT count(*) AS n FROM aibridge_interceptions') : 0;
  if (existing === N) {
    log(`dataset present: ${N} interceptions (delete bench/.pgdata to reseed)`);
    const [stats] = (await pool.query<{ done: boolean }>(
      `SELECT last_vacuum IS NOT NULL OR last_autovacuum IS NOT NULL AS done FROM pg_stat_user_tables WHERE relname = 'aibridge_interceptions'`,
    )).rows;
    if (!stats?.done) await pool.query('VACUUM (ANALYZE)');
    return;
  }
  if (existing > 0) {
    log(`dataset has ${existing} interceptions, want ${N}: recreating it`);
    await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  }
  log(`seeding ${N} interceptions (first run only; several minutes at 1M)`);
  const t = performance.now();
  await run(NODE, [...MAIN, 'seed', '--interceptions', String(N)], { cwd: ROOT, env: { ...env, DATABASE_URL: url }, echo: true });
  log(`seeded in ${((performance.now() - t) / 1000).toFixed(0)} s; VACUUM ANALYZE`);
  await pool.query('VACUUM (ANALYZE)');
}

interface DatasetFacts {
  rows: Record<string, number>;
  sizeMiB: number;
  sessions: number;
  pgVersion: string;
}

async function datasetFacts(pool: pg.Pool): Promise<DatasetFacts> {
  const rows: Record<string, number> = {};
  for (const t of ['aibridge_interceptions', 'aibridge_token_usages', 'aibridge_tool_usages', 'aibridge_user_prompts', 'aibridge_model_thoughts', 'users']) {
    rows[t] = await count(pool, `SELECT count(*) AS n FROM ${t}`);
  }
  const sizeMiB = (await count(pool, 'SELECT pg_database_size(current_database()) AS n')) / 2 ** 20;
  const sessions = await count(pool, `SELECT count(*) AS n FROM (SELECT 1 FROM aibridge_interceptions WHERE ended_at IS NOT NULL GROUP BY session_id, initiator_id) g`);
  const pgVersion = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  return { rows, sizeMiB, sessions, pgVersion };
}

/** The session W3 reads: the first (by id) with at least 60 threads. */
async function bigSession(pool: pg.Pool): Promise<{ sessionId: string; threads: number }> {
  const r = await pool.query<{ session_id: string; n: string }>(
    `SELECT session_id, count(*) AS n FROM aibridge_interceptions
      WHERE ended_at IS NOT NULL AND thread_root_id IS NULL AND client_session_id IS NOT NULL
      GROUP BY session_id, initiator_id HAVING count(*) >= 60 ORDER BY session_id LIMIT 1`,
  );
  if (!r.rows[0]) throw new Error('no session with 60+ threads in the dataset');
  return { sessionId: r.rows[0].session_id, threads: Number(r.rows[0].n) };
}

/** The CREATE INDEX statements of the project's extra-index migration, by index name. */
function extraIndexes(): { name: string; create: string }[] {
  const text = readFileSync(EXTRA_INDEXES, 'utf8').replace(/--.*$/gm, '');
  return [...text.matchAll(/CREATE INDEX (\w+) ON [^;]+;/g)].map((m) => ({
    name: m[1]!,
    create: m[0].replace('CREATE INDEX', 'CREATE INDEX IF NOT EXISTS'),
  }));
}

/** Drops or (re)creates the project's extra indexes so that workload `key` sees what it should. */
function indexSwitch(pool: pg.Pool): (key: string) => Promise<void> {
  let present: boolean | undefined;
  return async (key) => {
    const want = !CODER_ONLY.has(key);
    if (present === want) return;
    const t = performance.now();
    for (const ix of extraIndexes()) await pool.query(want ? ix.create : `DROP INDEX IF EXISTS ${ix.name}`);
    if (want) await pool.query('ANALYZE aibridge_interceptions, aibridge_user_prompts');
    present = want;
    log(`project's extra indexes ${want ? 'present' : 'dropped'} for ${key} (${ms(performance.now() - t)} ms)`);
  };
}

// ---------------------------------------------------------------------------------------------
// Servers

async function startGateway(url: string, tag: string, stateDir: string): Promise<{ proc: Started; base: string }> {
  // One folder per workload; V8 names each thread's profile (the largest is the main thread).
  const flags = PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.join(BENCH, 'profiles', tag)] : [];
  // Read-only: the gateway's own data (prices) in a PGlite under DATA_DIR, Coder's database untouched.
  const mode = CODER_ONLY.has(tag) ? { READ_ONLY: '1', DATA_DIR: stateDir } : { READ_ONLY: '0' };
  // The usage roll-up refresher is off unless asked for: `serve` starts a refresh at once, and over
  // a database it has not rolled up yet (every fresh DATA_DIR) that is the whole history, in this
  // process, during the measured window — the W4 and E1 runs of 2026-11-30 (before this line)
  // carried it. Its own cost is measured by bench/usage.ts.
  const proc = await startProcess(NODE, [...flags, ...MAIN, 'serve'], {
    cwd: ROOT,
    env: { ...env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', USAGE_ROLLUP_INTERVAL_MS: env.USAGE_ROLLUP_INTERVAL_MS ?? '0', ...mode },
    ready: /GraphiQL: (http:\/\/127\.0\.0\.1:\d+)\/graphql/,
    timeoutMs: 120_000,
  });
  return { proc, base: proc.ready[1]! };
}

async function startPeer(url: string): Promise<{ proc: Started; base: string }> {
  const port = await freePort();
  const proc = await startProcess(
    NODE,
    ['--require', './with-resolvers.cjs', '../node_modules/postgraphile/dist/cli-run.js', '-C', 'graphile.config.mjs'],
    {
      cwd: path.join(BENCH, 'peer'),
      env: { ...env, DATABASE_URL: url, PEER_PORT: String(port), GRAPHILE_ENV: 'production' },
      ready: /Server listening on port \d+/,
      timeoutMs: 120_000,
    },
  );
  return { proc, base: `http://127.0.0.1:${port}` };
}

/** One request, checked: 2xx and, for GraphQL, no errors. Returns a reason when unusable. */
async function probe(w: { url: string; method: string; headers: Record<string, string>; body?: string }): Promise<string | null> {
  const res = await fetch(w.url, { method: w.method, headers: w.headers, body: w.body });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
  if (w.url.endsWith('/graphql')) {
    const body = JSON.parse(text) as { errors?: { message: string }[] };
    if (body.errors?.length) return `GraphQL error: ${body.errors[0]!.message.slice(0, 200)}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Statement capture (in-process) and the floor

interface Captured {
  byKey: Map<string, Capture>;
  error?: string;
}

async function captureAll(url: string, token: string, sessionId: string): Promise<Captured> {
  const byKey = new Map<string, Capture>();
  try {
    const { createPostgresDb } = await import('../src/db/postgres.ts');
    const { createApp } = await import('../src/app.ts');
    const inner = createPostgresDb({ url, max: LOAD.connections });
    const rec = recordingDb(inner);
    const app = createApp({ db: rec.db, graphiql: false });
    try {
      for (const w of WORKLOADS.filter((w) => w.target === 'gateway')) {
        const c = await captureRequest(app, rec, w.make('http://127.0.0.1', token, { sessionId }));
        byKey.set(w.key, c);
      }
    } finally {
      await inner.close();
    }
  } catch (e) {
    return { byKey, error: e instanceof Error ? e.message : String(e) };
  }
  return { byKey };
}

function usable(c: Capture | undefined, w: Workload): string | null {
  if (!c) return 'not captured';
  if (c.status < 200 || c.status >= 300) return `HTTP ${c.status}: ${c.body.slice(0, 160)}`;
  if (w.make('http://x', '', { sessionId: '' }).url.endsWith('/graphql')) {
    const body = JSON.parse(c.body) as { errors?: { message: string }[] };
    if (body.errors?.length) return `GraphQL error: ${body.errors[0]!.message.slice(0, 160)}`;
  }
  return null;
}

interface StatementTiming {
  workload: string;
  n: number;
  ms: number;
  text: string;
  plan?: string;
}

/** EXPLAIN ANALYZE of every captured statement (median execution time of 3). */
async function explainAll(pool: pg.Pool, captured: Captured, indexesFor: (key: string) => Promise<void>): Promise<StatementTiming[]> {
  const out: StatementTiming[] = [];
  for (const [key, c] of captured.byKey) {
    // Only the workloads measured (or whose floor is), over the indexes they ran with.
    if (!want(key) && !want(`F${key.slice(1)}`)) continue;
    await indexesFor(key);
    for (const [n, s] of c.statements.entries()) {
      const times: number[] = [];
      let plan = '';
      for (let i = 0; i < 3; i++) {
        const r = await pool.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${s.text}`, values: s.params });
        const lines = r.rows.map((x) => x['QUERY PLAN']);
        const exec = lines.map((l) => l.match(/Execution Time: ([\d.]+) ms/)).find(Boolean);
        times.push(exec ? Number(exec[1]) : NaN);
        plan = lines.join('\n');
      }
      out.push({ workload: key, n: n + 1, ms: median(times), text: s.text.replace(/\s+/g, ' ').trim(), plan });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Embedded start and restart

async function embeddedTimes(): Promise<{ first: number; firstReady: number; restart: number; restartReady: number } | string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aibridge-bench-embedded-'));
  try {
    const once = async () => {
      const p = await startProcess(NODE, [...MAIN, 'serve'], {
        cwd: ROOT,
        env: { ...env, DATABASE_URL: '', DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' },
        ready: /ready in (\d+) ms\nGraphiQL: /,
        timeoutMs: 120_000,
      });
      await stopProcess(p.child);
      return { wall: p.startMs, ready: Number(p.ready[1]) };
    };
    const a = await once();
    const b = await once();
    return { first: a.wall, firstReady: a.ready, restart: b.wall, restartReady: b.ready };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memGiB: os.totalmem() / 2 ** 30,
    node: process.version,
  };
}

async function main() {
  const started = performance.now();
  const url = await startPostgres();
  // The gateway's own session settings (src/db/postgres.ts, jit=off among them), so the EXPLAIN
  // table and the SQL floor measure the statements as the gateway runs them: with PostgreSQL's
  // default JIT the sessions page statement showed 1 s of JIT compilation the gateway never pays.
  const pool = new pg.Pool({ connectionString: url, max: LOAD.connections, options: '-c TimeZone=UTC -c DateStyle=ISO -c jit=off' });
  const rows: Row[] = [];
  let facts: DatasetFacts | undefined;
  let timings: StatementTiming[] = [];
  let embedded: Awaited<ReturnType<typeof embeddedTimes>> | undefined;
  let usage: string[] = [];
  let session: { sessionId: string; threads: number } | undefined;
  let captured: Captured = { byKey: new Map() };
  let tools: string[] = [];
  let exports: ExportMeasure[] = [];
  const indexesFor = indexSwitch(pool);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'aibridge-bench-state-'));
  try {
    log('npm run build (the gateway runs from dist/, as npm start runs it)');
    await run('npm', ['run', 'build'], { cwd: ROOT });
    await ensureDataset(pool, url);
    await indexesFor('W1');
    // The seeded owner; the CLI also applies pending migrations (e.g. a new index) before anything is measured.
    const token = (await run(NODE, [...MAIN, 'token', 'create', '--username', 'admin'], { cwd: ROOT, env: { ...env, DATABASE_URL: url } })).trim();
    await pool.query(env.BENCH_PG_JIT === 'off' ? 'ALTER DATABASE postgres SET jit = off' : 'ALTER DATABASE postgres RESET jit');
    await pool.query('SELECT pg_reload_conf()');
    facts = await datasetFacts(pool);
    session = await bigSession(pool);
    log(`dataset: ${JSON.stringify(facts.rows)}; ${facts.sessions} sessions; W3 session ${session.sessionId} (${session.threads} threads)`);

    // Only when a gateway workload or its floor runs (not for T1/FT1 alone).
    if (WORKLOADS.some((w) => w.target === 'gateway' && want(w.key)) || want('F1') || want('F3') || want('F4')) captured = await captureAll(url, token, session.sessionId);
    if (captured.error) log(`statement capture failed: ${captured.error}`);

    // Gateway workloads: a fresh server per workload, so peak RSS is that workload's.
    for (const w of WORKLOADS.filter((w) => w.target === 'gateway')) {
      if (!want(w.key)) continue;
      const row: Row = { key: w.key, title: w.title, statements: captured.byKey.get(w.key)?.statements.length };
      rows.push(row);
      const bad = usable(captured.byKey.get(w.key), w);
      if (bad && !captured.error) {
        row.note = `not measured: ${bad}`;
        log(`${w.key}: ${row.note}`);
        continue;
      }
      await indexesFor(w.key);
      const { proc, base } = await startGateway(url, w.key, stateDir);
      try {
        const hw = w.make(base, token, { sessionId: session.sessionId });
        const why = await probe(hw);
        if (why) {
          row.note = `not measured: ${why}`;
          log(`${w.key}: ${row.note}`);
          continue;
        }
        row.aloneMs = await alone(hw);
        log(`${w.key} ${w.title}: alone ${ms(row.aloneMs)} ms; ${LOAD.warmup}+${LOAD.duration} s at ${LOAD.connections} connections`);
        row.result = await loadHttp(hw, LOAD);
        row.rssMiB = peakRssMiB(proc.child.pid);
        log(`${w.key}: ${fixed(row.result.rps)} req/s, p50 ${ms(row.result.p50)} ms, p95 ${ms(row.result.p95)} ms`);
      } finally {
        // A profiled process writes its profile on exit: give it time.
        await stopProcess(proc.child, PROFILE ? 60_000 : 10_000);
      }
    }

    if (want('P4')) {
      const w = WORKLOADS.find((x) => x.key === 'P4')!;
      const row: Row = { key: w.key, title: w.title };
      rows.push(row);
      await indexesFor('P4');
      const { proc, base } = await startPeer(url);
      try {
        const hw = w.make(base, token, { sessionId: session.sessionId });
        const why = await probe(hw);
        if (why) row.note = `not measured: ${why}`;
        else {
          row.aloneMs = await alone(hw);
          log(`P4 ${w.title}: alone ${ms(row.aloneMs)} ms`);
          row.result = await loadHttp(hw, LOAD);
          row.rssMiB = peakRssMiB(proc.child.pid);
          log(`P4: ${fixed(row.result.rps)} req/s, p50 ${ms(row.result.p50)} ms`);
        }
      } finally {
        await stopProcess(proc.child);
      }
    }

    // The floor: the captured statements of W1, W3 and W4 replayed with pg alone.
    for (const [key, of] of [['F1', 'W1'], ['F3', 'W3'], ['F4', 'W4']] as const) {
      if (!want(key)) continue;
      const c = captured.byKey.get(of);
      const row: Row = { key, title: `SQL floor of ${of} (pg only, same statements and overlap)`, statements: c?.statements.length };
      rows.push(row);
      const bad = usable(c, WORKLOADS.find((x) => x.key === of)!);
      if (bad || !c) {
        row.note = `not measured: ${bad ?? captured.error}`;
        continue;
      }
      await indexesFor(key);
      log(`${key}: replaying ${c.statements.length} statements per request`);
      const floorPool = new pg.Pool({ connectionString: url, max: LOAD.connections, options: '-c TimeZone=UTC -c DateStyle=ISO' });
      try {
        row.result = await loadLoop(replayer(floorPool, c.statements), LOAD);
        log(`${key}: ${fixed(row.result.rps)} req/s, p50 ${ms(row.result.p50)} ms`);
      } finally {
        await floorPool.end();
      }
    }

    if (want('T1') || want('FT1')) tools = (await toolUsageBench({ url, runs: Number(env.BENCH_TOOL_RUNS ?? 5), want, log })).lines;
    if (USAGE_KEYS.some(want)) usage = await usageBench({ url, want, log });
    // E1, E2, EC: the streaming export against COPY (bench/export.ts).
    if (EXPORT_KEYS.some(want)) {
      await indexesFor('E1');
      exports = await exportBench({ url, token, want, log, startGateway: (tag) => startGateway(url, tag, stateDir), stop: (p) => stopProcess(p.child) });
    }

    log('EXPLAIN ANALYZE of every captured statement');
    timings = await explainAll(pool, captured, indexesFor);
    await indexesFor('W1');

    if (env.BENCH_NO_EMBEDDED !== '1') {
      log('embedded first start and restart');
      embedded = await embeddedTimes();
    }
  } finally {
    await indexesFor('W1').catch((e: unknown) => log(`could not restore the extra indexes: ${String(e)}`));
    rmSync(stateDir, { recursive: true, force: true });
    await pool.end().catch(() => {});
    stopAllChildren();
    if (env.BENCH_KEEP_PG !== '1') await run('scripts/pg-cluster.sh', ['stop', PGDATA], { cwd: ROOT }).catch(() => {});
  }

  const report = [renderReport({ rows, facts: facts!, timings, embedded, session: session!, captured, tools, exports, totalSeconds: (performance.now() - started) / 1000 }), ...usage].join('\n');
  const dir = path.join(BENCH, 'results');
  mkdirSync(dir, { recursive: true });
  const suffix = env.BENCH_LABEL ? `-${env.BENCH_LABEL.replace(/[^\w.-]/g, '_')}` : env.BENCH_PG_JIT === 'off' ? '-jit-off' : '';
  const file = path.join(dir, `${new Date().toISOString().slice(0, 10)}${suffix}.md`);
  writeFileSync(file, report);
  process.stdout.write(`${report}\n`);
  log(`written to ${path.relative(ROOT, file)}`);
}

// ---------------------------------------------------------------------------------------------
// Report

function renderReport(r: {
  rows: Row[];
  facts: DatasetFacts;
  timings: StatementTiming[];
  embedded: Awaited<ReturnType<typeof embeddedTimes>> | undefined;
  session: { sessionId: string; threads: number };
  captured: Captured;
  tools: string[];
  exports: ExportMeasure[];
  totalSeconds: number;
}): string {
  const m = machine();
  const get = (k: string) => r.rows.find((x) => x.key === k)?.result;
  const lines: string[] = [];
  lines.push(`# aibridge-graphql benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  lines.push('');
  lines.push(`- Machine: ${m.cores} cores (${m.cpu}), ${m.memGiB.toFixed(0)} GiB RAM, Node ${m.node}, PostgreSQL ${r.facts.pgVersion} (scripts/pg-cluster.sh defaults, loopback; database JIT ${env.BENCH_PG_JIT === 'off' ? '**off** (BENCH_PG_JIT=off)' : 'on, the default'}; the gateway's connections, EXPLAIN and the floor run with jit=off as the gateway sets it). Load generator, gateway and PostgreSQL share the same cores.`);
  const f = r.facts.rows;
  lines.push(`- Dataset: ${f.aibridge_interceptions!.toLocaleString('en')} interceptions (${r.facts.sessions.toLocaleString('en')} sessions), ${f.aibridge_token_usages!.toLocaleString('en')} token usages, ${f.aibridge_tool_usages!.toLocaleString('en')} tool usages, ${f.aibridge_user_prompts!.toLocaleString('en')} prompts, ${f.aibridge_model_thoughts!.toLocaleString('en')} thoughts; database ${(r.facts.sizeMiB / 1024).toFixed(2)} GiB. Seed: \`seed --interceptions ${N}\` (seed 42).`);
  lines.push(`- Each workload: ${LOAD.warmup} s warm-up, then ${LOAD.duration} s measured at ${LOAD.connections} concurrent connections (autocannon; the floor uses ${LOAD.connections} in-process loops). Gateway pool: 10 connections (default), one fresh server process per workload. Owner token.${env.COUNT_CACHE_TTL_MS && env.COUNT_CACHE_TTL_MS !== '0' ? ` Gateway env: **COUNT_CACHE_TTL_MS=${env.COUNT_CACHE_TTL_MS}** (counts served from a cache at most that old).` : ''}`);
  lines.push(`- W3 session: \`${r.session.sessionId}\` (${r.session.threads} threads).`);
  lines.push(`- ${[...CODER_ONLY].join(', ')} run as an admin pointing the gateway at Coder gets it: the gateway with READ_ONLY=1 and the project's extra indexes (${extraIndexes().map((x) => x.name).join(', ')}) dropped; the others with them. The gateway runs from \`dist/\` (\`npm run build\`, \`node dist/main.js serve\`).`);
  lines.push('');
  lines.push('| workload | req/s | p50 ms | p95 ms | p99 ms | alone ms | SQL statements / request | peak RSS MiB | note |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const row of r.rows) {
    const x = row.result;
    const none = x && x.requests === 0;
    const notes = [
      row.note,
      none ? `no response completed inside the ${LOAD.duration} s window` : '',
      x?.failures ? `${x.failures} requests failed or were cut off at the end of the window` : '',
    ];
    lines.push(
      `| ${row.key} ${row.title} | ${x ? fixed(x.rps) : '–'} | ${x && !none ? ms(x.p50) : '–'} | ${x && !none ? ms(x.p95) : '–'} | ${x && !none ? ms(x.p99) : '–'} | ${row.aloneMs !== undefined ? ms(row.aloneMs) : '–'} | ${row.statements ?? (row.key === 'P4' ? 'n/a' : '–')} | ${row.rssMiB !== undefined ? row.rssMiB.toFixed(0) : '–'} | ${notes.filter(Boolean).join('; ')} |`,
    );
  }
  lines.push('');
  lines.push('"alone": one request with the server otherwise idle (median of 3). F rows run in the harness process (no server RSS).');
  lines.push('');
  lines.push('## Ratios and targets');
  lines.push('');
  const w1 = get('W1');
  const f1 = get('F1');
  const w2 = get('W2');
  const w4 = get('W4');
  const p4 = get('P4');
  const status = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : '**missed**');
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : undefined);
  const w4p4 = ratio(w4?.rps, p4?.rps);
  const w1f1 = ratio(w1?.p50, f1?.p50);
  lines.push('| measure | value | target | status |');
  lines.push('|---|---:|---:|---|');
  lines.push(`| W4 / P4 req/s | ${w4p4 !== undefined ? `${w4p4.toFixed(2)}x` : 'n/a'} | ≥ 1.5x | ${status(w4p4 === undefined ? undefined : w4p4 >= 1.5)} |`);
  lines.push(`| W1 p50 / F1 p50 | ${w1f1 !== undefined ? `${w1f1.toFixed(2)}x` : 'n/a'} | ≤ 2x | ${status(w1f1 === undefined ? undefined : w1f1 <= 2)} |`);
  const w3f3 = ratio(get('W3')?.p50, get('F3')?.p50);
  lines.push(`| W3 p50 / F3 p50 | ${w3f3 !== undefined ? `${w3f3.toFixed(2)}x` : 'n/a'} | ≤ 2x | ${status(w3f3 === undefined ? undefined : w3f3 <= 2)} |`);
  const w3n = r.rows.find((x) => x.key === 'W3')?.statements;
  lines.push(`| W3 SQL statements / request | ${w3n ?? 'n/a'} | ≤ 6 | ${status(w3n === undefined ? undefined : w3n <= 6)} |`);
  const w4f4 = ratio(get('W4')?.p50, get('F4')?.p50);
  if (w4f4 !== undefined) lines.push(`| W4 p50 / F4 p50 (information) | ${w4f4.toFixed(2)}x | – | – |`);
  const w2done = w2 && w2.requests > 0;
  lines.push(`| W2 p95 | ${w2done ? `${ms(w2.p95)} ms` : w2 ? `> ${LOAD.duration * 1000} ms (nothing completed)` : 'n/a'} | ≤ 150 ms | ${status(w2 ? w2done && w2.p95 <= 150 : undefined)} |`);
  const sessionCount = r.timings.find((t) => t.workload === 'W2' && /^SELECT count\(\*\)/i.test(t.text));
  lines.push(`| sessions count at ${(N / 1e6).toFixed(N % 1e6 ? 1 : 0)}M (EXPLAIN ANALYZE, median of 3) | ${sessionCount ? `${ms(sessionCount.ms)} ms` : 'n/a'} | ≤ 500 ms | ${status(sessionCount ? sessionCount.ms <= 500 : undefined)} |`);
  const e = r.embedded;
  if (e && typeof e !== 'string') {
    lines.push(`| embedded first start (spawn → GraphiQL line; server's own "ready in") | ${(e.first / 1000).toFixed(1)} s (${(e.firstReady / 1000).toFixed(1)} s) | ≤ 10 s | ${status(e.first <= 10_000)} |`);
    lines.push(`| embedded restart (same) | ${(e.restart / 1000).toFixed(1)} s (${(e.restartReady / 1000).toFixed(1)} s) | ≤ 3 s | ${status(e.restart <= 3_000)} |`);
  } else if (typeof e === 'string') {
    lines.push(`| embedded start | failed: ${e.split('\n')[0]} | | **missed** |`);
  }
  lines.push('');
  lines.push('## Statements per request (EXPLAIN ANALYZE execution time, median of 3, warm cache)');
  lines.push('');
  if (r.captured.error) lines.push(`Statement capture failed: ${r.captured.error.split('\n')[0]}`);
  lines.push('| workload | # | ms | statement |');
  lines.push('|---|---:|---:|---|');
  for (const t of r.timings) {
    const text = t.text.length > 160 ? `${t.text.slice(0, 157)}...` : t.text;
    lines.push(`| ${t.workload} | ${t.n} | ${ms(t.ms)} | \`${text.replace(/\|/g, '\\|')}\` |`);
  }
  const slow = [...r.timings].sort((a, b) => b.ms - a.ms).filter((t) => t.ms >= 20).slice(0, 3);
  if (slow.length) {
    lines.push('');
    lines.push('## Plans of the slowest statements');
    for (const t of slow) {
      lines.push('');
      lines.push(`### ${t.workload} statement ${t.n}: ${ms(t.ms)} ms`);
      lines.push('');
      lines.push('```');
      lines.push(t.plan ?? '');
      lines.push('```');
    }
  }
  if (r.tools.length) lines.push('', ...r.tools);
  lines.push(...renderExportSection(r.exports));
  lines.push('');
  lines.push(`Whole run: ${(r.totalSeconds / 60).toFixed(1)} min. Reproduce with \`npm run bench\` (see bench/README.md).`);
  lines.push('');
  return lines.join('\n');
}

const onSignal = () => {
  stopAllChildren();
  run('scripts/pg-cluster.sh', ['stop', PGDATA], { cwd: ROOT }).finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main().catch((e: unknown) => {
  log(`failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  stopAllChildren();
  run('scripts/pg-cluster.sh', ['stop', PGDATA], { cwd: ROOT }).finally(() => process.exit(1));
});
