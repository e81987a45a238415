/**
 * E1, E2, EC: exporting every interception of the bench database (1M) through the gateway's
 * streaming export, NDJSON (E1) and CSV (E2), against PostgreSQL's own `COPY (SELECT …) TO
 * STDOUT` of the same statement (EC: the physical floor for getting those rows out). run.ts calls
 * `exportBench` when any of the keys is wanted (BENCH_ONLY=E1,E2,EC runs these alone).
 *
 * Each gateway export runs against a fresh server process: one request, the body read as fast
 * as the client can (no gzip), rows counted by line. The server's resident memory is sampled
 * every 100 ms; growth = the highest sample minus the sample just before the request.
 * EC runs psql's COPY over the statement the gateway's cursor reads (the owner's, no filter),
 * its output counted the same way.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Started } from './lib/proc.ts';
import { interceptionExportSelect } from '../src/export/interceptions.ts';
import type { Viewer } from '../src/auth/viewer.ts';

export const EXPORT_KEYS = ['E1', 'E2', 'EC'] as const;

export interface ExportMeasure {
  key: string;
  title: string;
  rows?: number;
  bytes?: number;
  seconds?: number;
  /** Resident memory just before the request, its highest sample during it (MiB). */
  rssBeforeMiB?: number;
  rssPeakMiB?: number;
  /** The highest sample in each quarter of the export's duration (MiB): flat when memory does not grow with the export. */
  rssQuartersMiB?: number[];
  note?: string;
}

const rssMiB = (pid: number | undefined): number => {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

/** Counts newline-terminated rows and bytes of a byte stream. */
async function countLines(body: AsyncIterable<Uint8Array>): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  }
  return { rows, bytes };
}

async function gatewayExport(
  key: string,
  format: 'ndjson' | 'csv',
  token: string,
  startGateway: (tag: string) => Promise<{ proc: Started; base: string }>,
  stop: (p: Started) => Promise<void>,
): Promise<ExportMeasure> {
  const m: ExportMeasure = { key, title: `GET /api/v2/aibridge/export/interceptions?format=${format}, every row (owner, no gzip)` };
  const { proc, base } = await startGateway(key);
  try {
    // One small request first: the server's steady state, not its first-request warm-up, is the baseline.
    await (await fetch(`${base}/api/v2/aibridge/interceptions?limit=1`, { headers: { 'Coder-Session-Token': token } })).arrayBuffer();
    const pid = proc.child.pid;
    m.rssBeforeMiB = rssMiB(pid);
    let peak = m.rssBeforeMiB;
    const samples: [number, number][] = [];
    const t = performance.now();
    const sampler = setInterval(() => {
      const now = rssMiB(pid);
      samples.push([performance.now() - t, now]);
      peak = Math.max(peak, now);
    }, 100);
    try {
      const res = await fetch(`${base}/api/v2/aibridge/export/interceptions?format=${format}`, {
        headers: { 'Coder-Session-Token': token, 'accept-encoding': 'identity' },
      });
      if (res.status !== 200 || !res.body) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
      const counted = await countLines(res.body);
      m.seconds = (performance.now() - t) / 1000;
      m.rows = counted.rows - (format === 'csv' ? 1 : 0);
      m.bytes = counted.bytes;
    } finally {
      clearInterval(sampler);
    }
    m.rssPeakMiB = Math.max(peak, rssMiB(pid));
    const total = performance.now() - t;
    m.rssQuartersMiB = [0, 1, 2, 3].map((q) => Math.max(...samples.filter(([at]) => at >= (q * total) / 4 && at < ((q + 1) * total) / 4).map(([, v]) => v)));
  } catch (e) {
    m.note = `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
  } finally {
    await stop(proc);
  }
  return m;
}

const OWNER: Viewer = { id: '00000000-0000-0000-0000-000000000000', username: 'bench', name: '', avatarUrl: '', roles: ['owner'], seesAll: true };

/** psql's COPY of one of the gateway's export statements (owner, no filter: no parameters). */
async function copyFloor(url: string, format: 'ndjson' | 'csv'): Promise<ExportMeasure> {
  const m: ExportMeasure = { key: 'EC', title: `COPY (the ${format === 'csv' ? 'CSV' : 'NDJSON'} export's SELECT) TO STDOUT (psql, CSV)` };
  const { text, values } = interceptionExportSelect(OWNER, {}, format).compile();
  if (values.length) throw new Error('the owner export statement has parameters; COPY cannot take them');
  // The gateway's session settings (src/db/postgres.ts): UTC text timestamps, no JIT.
  const child = spawn('psql', [url, '-X', '-q', '-c', `SET jit = off; SET TimeZone = 'UTC'; COPY (${text}) TO STDOUT WITH (FORMAT csv)`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const t = performance.now();
  const counted = await countLines(child.stdout);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  m.seconds = (performance.now() - t) / 1000;
  if (code !== 0) m.note = `psql failed (${code}): ${err.slice(0, 200)}`;
  // Rows by line: no field of either statement holds a raw newline (JSON escapes them; the CSV
  // columns carry no free text but metadata, as JSON).
  m.rows = counted.rows;
  m.bytes = counted.bytes;
  return m;
}

/** The three measures, in order; each is skipped unless wanted. */
export async function exportBench(opts: {
  url: string;
  token: string;
  want: (key: string) => boolean;
  startGateway: (tag: string) => Promise<{ proc: Started; base: string }>;
  stop: (p: Started) => Promise<void>;
  log: (line: string) => void;
}): Promise<ExportMeasure[]> {
  const out: ExportMeasure[] = [];
  const say = (m: ExportMeasure) => {
    opts.log(`${m.key}: ${m.rows ?? '?'} rows in ${m.seconds?.toFixed(1) ?? '?'} s${m.rssPeakMiB !== undefined ? `, RSS ${m.rssBeforeMiB?.toFixed(0)} → ${m.rssPeakMiB.toFixed(0)} MiB` : ''}${m.note ? ` (${m.note})` : ''}`);
    out.push(m);
  };
  if (opts.want('E1')) say(await gatewayExport('E1', 'ndjson', opts.token, opts.startGateway, opts.stop));
  if (opts.want('E2')) say(await gatewayExport('E2', 'csv', opts.token, opts.startGateway, opts.stop));
  if (opts.want('EC')) {
    say(await copyFloor(opts.url, 'csv'));
    say({ ...(await copyFloor(opts.url, 'ndjson')), key: 'EC-N' });
  }
  return out;
}

const rate = (m?: ExportMeasure) => (m?.rows && m.seconds ? m.rows / m.seconds : undefined);

/** The report's section: the table, then the goals. */
export function renderExportSection(measures: ExportMeasure[]): string[] {
  if (!measures.length) return [];
  const lines = ['', '## Streaming export (E1, E2) against COPY (EC)', ''];
  lines.push('| key | what | rows | MB | s | rows/s | server RSS before → peak MiB (growth) | RSS peak per quarter of the export, MiB | note |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const m of measures) {
    const r = rate(m);
    const rss = m.rssPeakMiB !== undefined && m.rssBeforeMiB !== undefined ? `${m.rssBeforeMiB.toFixed(0)} → ${m.rssPeakMiB.toFixed(0)} (+${(m.rssPeakMiB - m.rssBeforeMiB).toFixed(0)})` : '–';
    lines.push(`| ${m.key} | ${m.title} | ${m.rows?.toLocaleString('en') ?? '–'} | ${m.bytes !== undefined ? (m.bytes / 1e6).toFixed(0) : '–'} | ${m.seconds?.toFixed(1) ?? '–'} | ${r ? Math.round(r).toLocaleString('en') : '–'} | ${rss} | ${m.rssQuartersMiB?.map((x) => x.toFixed(0)).join(' / ') ?? '–'} | ${m.note ?? ''} |`);
  }
  const get = (k: string) => measures.find((m) => m.key === k);
  const [e1, e2, ec, ecn] = [get('E1'), get('E2'), get('EC'), get('EC-N')];
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : undefined);
  const status = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : '**missed**');
  const fmt = (x?: number) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`);
  const growth = (m?: ExportMeasure) => (m?.rssPeakMiB !== undefined && m.rssBeforeMiB !== undefined ? m.rssPeakMiB - m.rssBeforeMiB : undefined);
  lines.push('', '| measure | value | goal | status |', '|---|---:|---:|---|');
  // The floor of each format is COPY of the same columns: the NDJSON export's rows carry every
  // child in full (1.5 GB out of COPY), the CSV's only their counts and sums (0.5 GB).
  const e1ecn = ratio(rate(e1), rate(ecn));
  lines.push(`| E1 NDJSON rows/s ÷ EC-N (COPY of the same columns: the NDJSON export's SELECT) | ${fmt(e1ecn)} | ≥ 50% | ${status(e1ecn === undefined ? undefined : e1ecn >= 0.5)} |`);
  const e2ec = ratio(rate(e2), rate(ec));
  lines.push(`| E2 CSV rows/s ÷ EC (COPY of the same columns: the CSV export's SELECT) | ${fmt(e2ec)} | ≥ 50% | ${status(e2ec === undefined ? undefined : e2ec >= 0.5)} |`);
  const e1ec = ratio(rate(e1), rate(ec));
  if (e1ec !== undefined) lines.push(`| E1 ÷ EC (NDJSON against COPY of the CSV's flat columns, information) | ${fmt(e1ec)} | – | – |`);
  for (const m of [e1, e2]) {
    const g = growth(m);
    if (m) lines.push(`| ${m.key} server RSS growth over the whole export | ${g === undefined ? 'n/a' : `${g.toFixed(0)} MiB`} | < 100 MB | ${status(g === undefined ? undefined : g * 1.048576 < 100)} |`);
  }
  lines.push('', 'EC is PostgreSQL writing the CSV export\'s own SELECT (initiator joined, children counted and summed per row) with COPY; EC-N the NDJSON export\'s SELECT (children as JSON arrays). The gateway reads the same statements through a cursor (FETCH of EXPORT_BATCH rows, one batch fetched ahead) and encodes every row in JavaScript. One run on a shared, noisy 2-core machine: the load generator, the gateway and PostgreSQL compete for the same cores.');
  return lines;
}
