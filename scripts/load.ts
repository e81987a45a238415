/**
 * Load test (not a unit test): N concurrent clients for D seconds on a REST + GraphQL mix against
 * a gateway this script starts itself on loopback, then a report of requests, errors by status,
 * latency percentiles and the server's memory (RSS) at start, peak and end.
 *
 *   npm run load                                   # embedded demo database, 200 clients, 60 s
 *   npm run load -- --clients 50 --duration 10     # or LOAD_CLIENTS / LOAD_DURATION
 *   DATABASE_URL=postgres://… npm run load         # a PostgreSQL with data; LOAD_TOKEN, or an
 *                                                  # owner `load-test` and a token are created
 *
 * Targets: 0 errors; RSS growth under 20 % from start (taken after a warm-up, so that the
 * first-use growth of code caches and pools is not counted as a leak) to end.
 * Exit status 1 when a target is missed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
  },
});
const CLIENTS = Number(flags.clients ?? process.env.LOAD_CLIENTS ?? 200);
const DURATION_S = Number(flags.duration ?? process.env.LOAD_DURATION ?? 60);
const WARMUP_S = Number(flags.warmup ?? process.env.LOAD_WARMUP ?? 5);
const REQUEST_TIMEOUT_MS = 30_000;
for (const [name, v] of Object.entries({ clients: CLIENTS, duration: DURATION_S, warmup: WARMUP_S })) {
  if (!Number.isFinite(v) || v < 0 || (name !== 'warmup' && v <= 0)) throw new Error(`--${name} must be a positive number`);
}

const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// The gateway, as its own process so that its RSS is its own.

interface Server {
  pid: number;
  base: string;
  token?: string;
  stop(): Promise<void>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /GraphiQL: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return {
    pid: child.pid!,
    base: url.replace(/\/graphql$/, ''),
    token: /Demo owner token \(Coder-Session-Token\): (\S+)/.exec(out)?.[1],
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in bytes (Linux /proc). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

// ---------------------------------------------------------------------------------------------
// The request mix

interface Kind {
  name: string;
  weight: number;
  request: () => { path: string; init?: RequestInit };
}

const graphql = (query: string, variables?: Record<string, unknown>) => ({
  path: '/graphql',
  init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) },
});

function mix(sessionIds: string[]): Kind[] {
  const pick = <T,>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  return [
    { name: 'REST interceptions', weight: 3, request: () => ({ path: '/api/v2/aibridge/interceptions?limit=20' }) },
    { name: 'REST sessions', weight: 2, request: () => ({ path: '/api/v2/aibridge/sessions?limit=20' }) },
    { name: 'REST session detail', weight: 2, request: () => ({ path: `/api/v2/aibridge/sessions/${encodeURIComponent(pick(sessionIds))}` }) },
    { name: 'REST models', weight: 1, request: () => ({ path: '/api/v2/aibridge/models' }) },
    { name: 'REST clients', weight: 1, request: () => ({ path: '/api/v2/aibridge/clients?q=c' }) },
    { name: 'GraphQL viewer', weight: 1, request: () => graphql('{ viewer { username } }') },
    {
      name: 'GraphQL interceptions',
      weight: 3,
      request: () => graphql(`{ interceptions(first: 20) { edges { node { uuid model initiator { username } tokenUsageSummary { inputTokens outputTokens }
        toolUsages { tool } userPrompts { prompt } } } pageInfo { hasNextPage endCursor } } }`),
    },
    {
      name: 'GraphQL sessions',
      weight: 2,
      request: () => graphql(`{ sessions(first: 10) { totalCount edges { node { sessionId lastActiveAt tokenUsageSummary { inputTokens }
        threads(first: 5) { edges { node { uuid prompt agenticActions { toolCalls { tool } } } } } } } } }`),
    },
    {
      name: 'GraphQL session',
      weight: 1,
      request: () => graphql('query($id: String!) { session(id: $id) { sessionId threadCount threads { edges { node { uuid tokenUsage { inputTokens } } } } } }', { id: pick(sessionIds) }),
    },
  ];
}

function weighted(kinds: Kind[]): () => Kind {
  const total = kinds.reduce((a, k) => a + k.weight, 0);
  return () => {
    let r = Math.random() * total;
    for (const k of kinds) if ((r -= k.weight) < 0) return k;
    return kinds.at(-1)!;
  };
}

// ---------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const dataDir = process.env.DATABASE_URL ? undefined : await mkdtemp(path.join(os.tmpdir(), 'aibridge-load-'));
  let token = process.env.LOAD_TOKEN;
  if (process.env.DATABASE_URL && !token) {
    const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    cli(['user', 'create', '--username', 'load-test', '--role', 'owner']); // may already exist
    const made = cli(['token', 'create', '--username', 'load-test', '--lifetime-days', '1']);
    if (made.status !== 0) throw new Error(`could not create a token: ${made.stderr}`);
    token = made.stdout.trim();
  }
  log(`starting the gateway (${dataDir ? 'embedded demo' : 'DATABASE_URL'}) …`);
  const server = await startServer(dataDir ? { DATA_DIR: dataDir } : {});
  token ??= server.token;
  if (!token) throw new Error('no token: set LOAD_TOKEN');
  const headers = { 'Coder-Session-Token': token };

  try {
    const sessions = (await (await fetch(`${server.base}/api/v2/aibridge/sessions?limit=200`, { headers })).json()) as { sessions: { id: string }[] };
    const sessionIds = sessions.sessions.map((s) => s.id);
    if (sessionIds.length === 0) throw new Error('the database has no sessions to read');
    const next = weighted(mix(sessionIds));

    const statuses = new Map<string, number>();
    const latencies: number[] = [];
    const byKind = new Map<string, number[]>();
    let measuring = false;
    let stopAt = 0;

    const client = async () => {
      while (Date.now() < stopAt) {
        const kind = next();
        const { path: p, init } = kind.request();
        const started = performance.now();
        let status: string;
        try {
          const res = await fetch(`${server.base}${p}`, {
            ...init,
            headers: { ...headers, ...(init?.headers as Record<string, string> | undefined) },
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          const text = await res.text();
          // A GraphQL answer with errors is an error even with status 200.
          status = res.status === 200 && p === '/graphql' && text.includes('"errors"') ? '200+errors' : String(res.status);
        } catch (err) {
          status = `network: ${(err as Error).name}`;
        }
        const ms = performance.now() - started;
        if (!measuring) continue;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        latencies.push(ms);
        if (!byKind.has(kind.name)) byKind.set(kind.name, []);
        byKind.get(kind.name)!.push(ms);
      }
    };

    if (WARMUP_S > 0) {
      log(`warm-up: ${CLIENTS} clients for ${WARMUP_S} s (not counted)`);
      stopAt = Date.now() + WARMUP_S * 1000;
      await Promise.all(Array.from({ length: CLIENTS }, client));
    }

    const rssStart = await rssOf(server.pid);
    let rssPeak = rssStart;
    const sampler = setInterval(() => {
      rssOf(server.pid).then((r) => (rssPeak = Math.max(rssPeak, r)), () => {});
    }, 250);
    log(`load: ${CLIENTS} clients for ${DURATION_S} s`);
    measuring = true;
    const t0 = performance.now();
    stopAt = Date.now() + DURATION_S * 1000;
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const elapsed = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const rssEnd = await rssOf(server.pid);
    rssPeak = Math.max(rssPeak, rssEnd);

    latencies.sort((a, b) => a - b);
    const errors = [...statuses].filter(([s]) => s !== '200').reduce((a, [, n]) => a + n, 0);
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    const growth = ((rssEnd - rssStart) / rssStart) * 100;
    const ms = (v: number) => `${v.toFixed(1)} ms`;
    const lines = [
      `clients ${CLIENTS}, duration ${elapsed.toFixed(1)} s (after ${WARMUP_S} s warm-up), database ${dataDir ? 'embedded (PGlite demo)' : 'PostgreSQL'}`,
      `requests ${latencies.length} (${(latencies.length / elapsed).toFixed(0)}/s), errors ${errors}`,
      `status ${[...statuses].sort().map(([s, n]) => `${s}: ${n}`).join(', ')}`,
      `latency p50 ${ms(percentile(latencies, 50))}, p90 ${ms(percentile(latencies, 90))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? NaN)}`,
      ...[...byKind].sort().map(([k, xs]) => {
        xs.sort((a, b) => a - b);
        return `  ${k.padEnd(22)} n=${String(xs.length).padStart(6)}  p50 ${ms(percentile(xs, 50))}  p99 ${ms(percentile(xs, 99))}`;
      }),
      `server RSS start ${mb(rssStart)}, peak ${mb(rssPeak)}, end ${mb(rssEnd)}, growth ${growth.toFixed(1)} % (start→end), ${(((rssPeak - rssStart) / rssStart) * 100).toFixed(1)} % (start→peak)`,
    ];
    console.log(lines.join('\n'));
    const missed = [...(errors > 0 ? ['errors > 0'] : []), ...(growth >= 20 ? ['RSS growth >= 20 %'] : [])];
    if (missed.length > 0) {
      log(`targets missed: ${missed.join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  log(`load: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
