import type { Viewer } from '../auth/viewer.ts';
import type { UsageDimension, UsageQuery } from '../domain/usage/query.ts';
import { USAGE_LIMITS } from '../domain/usage/query.ts';
import type { ReportRow, UsageParts } from '../domain/usage/report.ts';
import type { GrainRow } from './grain.ts';
import { percentilesMs } from './percentile.ts';
import {
  COUNT_FIELDS, type Dictionary, DictionaryOverlay, durationValue, KEY_FIELDS, type KeyField, PAIR, type Segment, SUM_FIELDS, type SumColumn, sumColumn,
} from './segment.ts';

/** A rolled hour inside the report's range, with its bucket start (PostgreSQL's zone math) and purged flag. */
export interface RolledHour {
  segment: Segment;
  bucket: string | null;
  purged: boolean;
}

export interface AggregateInput {
  q: UsageQuery;
  want: UsageParts;
  viewer: Viewer;
  dictionaries: readonly Dictionary[];
  hours: readonly RolledHour[];
  /** The live part's grain rows (visibility and filter applied in SQL), `bucket` as PERIOD_TEXT. */
  live: readonly GrainRow[];
  /** Each bucket start's end, PERIOD_TEXT. */
  bucketEnds: ReadonlyMap<string, string>;
  series: string[] | null;
  seriesEnds: string[] | null;
}

const DIMENSION_KEY: Record<UsageDimension, KeyField> = {
  INITIATOR: 'initiatorId', MODEL: 'model', PROVIDER: 'provider', PROVIDER_NAME: 'providerName', CLIENT: 'client', CREDENTIAL_KIND: 'credentialKind',
};
const KEY_INDEX = Object.fromEntries(KEY_FIELDS.map((f, n) => [f, n])) as Record<KeyField, number>;
const FILTER_KEYS = [['initiatorId', 'initiatorId'], ['provider', 'provider'], ['providerName', 'providerName'], ['model', 'model'], ['client', 'client'], ['sessionId', 'sessionId']] as const;
// Float64 sums of integers are exact while every partial sum stays below 2^53; a margin for the bound's own rounding.
const SAFE_SUM = 2 ** 52;

interface Source {
  segment: Segment;
  /** Per row, or one for the whole segment. */
  bucket: Int32Array | number;
  purged: boolean;
  /** Conditions (key index, id) every counted row meets; null: none. */
  where: [number, number][] | null;
}

/**
 * The rows the live statement would return (one per group, the totals row flagged, the bucket
 * series on the first), from rolled hours held in memory plus the live grain rows: sums, distinct
 * (session, initiator) pairs and initiators, and percentile_cont over every duration, exactly.
 *
 * The rolled rows are filtered here: the filter's keys and, for a member, their own initiator
 * (the roll-ups hold every initiator's rows; the live rows come through the visibility filter in SQL).
 */
export function aggregate(input: AggregateInput): ReportRow[] {
  const { q, want } = input;
  const overlays = input.dictionaries.map((d) => new DictionaryOverlay(d));
  const buckets = new Map<string, number>();
  const bucketId = (b: string | null) => {
    if (b === null) return 0;
    let id = buckets.get(b);
    if (id === undefined) buckets.set(b, (id = buckets.size));
    return id;
  };

  const rolledWhere = conditions(input);
  const sources: Source[] = [];
  if (rolledWhere) for (const h of input.hours) sources.push({ segment: h.segment, bucket: bucketId(h.bucket), purged: h.purged, where: rolledWhere.length ? rolledWhere : null });
  if (input.live.length) {
    sources.push({ segment: liveSegment(input.live, overlays), bucket: Int32Array.from(input.live, (r) => bucketId(r.bucket)), purged: false, where: null });
  }
  const bucketNames = [...buckets.keys()];

  // Pass 1: each counted row's group (-1: not counted).
  const dims = q.groupBy.map((d) => KEY_INDEX[DIMENSION_KEY[d]]);
  const radix = [...dims.map((k) => overlays[k].size), Math.max(1, buckets.size)];
  const numericKeys = radix.reduce((a, b) => a * b, 1) < Number.MAX_SAFE_INTEGER;
  const groupOf = new Map<number | string, number>();
  const first: [number, number][] = [];
  const rowGroup = sources.map((s, si) => {
    const out = new Int32Array(s.segment.rows).fill(-1);
    const keys = s.segment.keys;
    rows: for (let n = 0; n < s.segment.rows; n++) {
      if (s.where) for (const [k, id] of s.where) if (keys[k][n] !== id) continue rows;
      if (!want.groups) {
        out[n] = 0;
        continue;
      }
      const b = typeof s.bucket === 'number' ? s.bucket : s.bucket[n];
      let key: number | string;
      if (numericKeys) {
        let v = 0;
        for (let d = 0; d < dims.length; d++) v = v * radix[d] + keys[dims[d]][n];
        key = v * radix[dims.length] + b;
      } else {
        key = `${dims.map((k) => keys[k][n]).join(',')},${b}`;
      }
      let g = groupOf.get(key);
      if (g === undefined) {
        groupOf.set(key, (g = first.length));
        first.push([si, n]);
      }
      out[n] = g;
    }
    return out;
  });

  const G = want.groups ? first.length : 0;
  const slots = G + (want.totals ? 1 : 0);
  const T = G;
  const rows: ReportRow[] = [];
  const zero = zeroRow();
  // More groups than allowed: finishReport refuses the query as the live statement's rows make it.
  if (G > USAGE_LIMITS.groups) {
    for (let g = 0; g <= USAGE_LIMITS.groups; g++) rows.push({ ...zero, isTotal: false });
    return rows;
  }

  const doGroups = want.groups;
  const doTotals = want.totals;
  const counts = COUNT_FIELDS.map(() => new Float64Array(slots));
  const sumsExact = SUM_FIELDS.map((_, c) => sources.every((s) => s.segment.sums[c].kind === 'f64')
    && sources.reduce((a, s) => a + (s.segment.sums[c] as { abs: number }).abs, 0) < SAFE_SUM);
  const sumsF = SUM_FIELDS.map((_, c) => (sumsExact[c] ? new Float64Array(slots) : null));
  const sumsB = SUM_FIELDS.map((_, c) => (sumsExact[c] ? null : Array.from({ length: slots }, () => 0n)));
  const purged = new Uint8Array(slots);
  const pairs = overlays[PAIR].size;
  const initiators = overlays[KEY_INDEX.initiatorId].size;
  const sessions = new Int32Array(slots);
  const users = new Int32Array(slots);
  const durationCount = new Float64Array(slots);

  // Pass 2, a column at a time (tight loops over typed arrays: 180k rows × 18 columns in a few ms).
  sources.forEach((s, si) => {
    const seg = s.segment;
    const groups = rowGroup[si];
    counts.forEach((acc, c) => addColumn(acc, seg.counts[c], groups, T, doGroups, doTotals));
    SUM_FIELDS.forEach((_, c) => {
      const col = seg.sums[c];
      const f = sumsF[c];
      if (f) addColumn(f, col.values as Float64Array, groups, T, doGroups, doTotals);
      else addBig(sumsB[c]!, col, groups, T, doGroups, doTotals);
    });
    addColumn(durationCount, rowDurations(seg), groups, T, doGroups, doTotals);
    if (s.purged) markGroups(purged, groups, T, doGroups, doTotals);
  });
  if (want.sessions) countDistinct(sources, rowGroup, PAIR, pairs, sessions, T, doGroups, doTotals);
  if (want.users) countDistinct(sources, rowGroup, KEY_INDEX.initiatorId, initiators, users, T, doGroups, doTotals);

  // Pass 3: every slot's durations side by side, then its percentiles.
  const pcts: (number | null)[][] = Array.from({ length: slots }, () => [null, null, null]);
  if (want.durations) {
    const start = new Int32Array(slots + 1);
    for (let t = 0; t < slots; t++) start[t + 1] = start[t] + durationCount[t];
    const all = new Float64Array(start[slots]);
    const at = start.slice(0, slots);
    sources.forEach((s, si) => {
      const { durationStart, durations, rows: n0 } = s.segment;
      const groups = rowGroup[si];
      for (let n = 0; n < n0; n++) {
        const g = groups[n];
        if (g < 0) continue;
        const to = durationStart[n + 1];
        for (let i = durationStart[n]; i < to; i++) {
          if (doGroups) all[at[g]++] = durations[i];
          if (doTotals) all[at[T]++] = durations[i];
        }
      }
    });
    for (let t = 0; t < slots; t++) pcts[t] = percentilesMs(all.subarray(start[t], start[t + 1]), [0.5, 0.95, 0.99]);
  }

  const text = (c: number, t: number) => (sumsF[c] ? String(sumsF[c][t]) : String(sumsB[c]![t]));
  const figures = (t: number) => {
    const f: Record<string, unknown> = {
      requests: counts[0][t],
      sessions: want.sessions ? sessions[t] : 0,
      users: want.users ? users[t] : 0,
      purged: purged[t] === 1,
      p50: pcts[t][0], p95: pcts[t][1], p99: pcts[t][2],
    };
    SUM_FIELDS.forEach(([, name], c) => { f[SUM_NAME[name]] = text(c, t); });
    COUNT_FIELDS.forEach(([, name], c) => {
      if (c > 0) f[name] = counts[c][t];
    });
    if (!want.tools) Object.assign(f, { toolCalls: 0, injectedToolCalls: 0, toolErrors: 0 });
    return f;
  };
  for (let g = 0; g < G; g++) {
    const [si, n] = first[g];
    const keys = sources[si].segment.keys;
    const b = sources[si].bucket;
    const bucketStart = q.bucket ? bucketNames[typeof b === 'number' ? b : b[n]] : null;
    const key: Record<string, string | null> = Object.fromEntries(KEY_FIELDS.filter((f) => f !== 'sessionId').map((f) => [f, null]));
    for (const d of q.groupBy) key[DIMENSION_KEY[d]] = overlays[KEY_INDEX[DIMENSION_KEY[d]]].value(keys[KEY_INDEX[DIMENSION_KEY[d]]][n]);
    rows.push({ ...zero, ...figures(g), ...key, isTotal: false, bucketStart, bucketEnd: bucketStart === null ? null : input.bucketEnds.get(bucketStart)! });
  }
  if (want.totals) rows.push({ ...zero, ...figures(T), isTotal: true });
  if (rows.length) Object.assign(rows[0], { series: input.series, seriesEnds: input.seriesEnds });
  return rows;
}

/** acc[group] (and acc[T] for the totals) += values[row] over the counted rows. */
function addColumn(acc: Float64Array, values: Float64Array, groups: Int32Array, T: number, doGroups: boolean, doTotals: boolean): void {
  const n0 = groups.length;
  if (doGroups && doTotals) {
    let total = 0;
    for (let n = 0; n < n0; n++) {
      const g = groups[n];
      if (g >= 0) {
        acc[g] += values[n];
        total += values[n];
      }
    }
    acc[T] += total;
  } else if (doGroups) {
    for (let n = 0; n < n0; n++) {
      const g = groups[n];
      if (g >= 0) acc[g] += values[n];
    }
  } else {
    let total = 0;
    for (let n = 0; n < n0; n++) if (groups[n] >= 0) total += values[n];
    acc[T] += total;
  }
}

function addBig(acc: bigint[], col: SumColumn, groups: Int32Array, T: number, doGroups: boolean, doTotals: boolean): void {
  for (let n = 0; n < groups.length; n++) {
    const g = groups[n];
    if (g < 0) continue;
    const v = col.kind === 'big' ? col.values[n] : BigInt(col.values[n]);
    if (doGroups) acc[g] += v;
    if (doTotals) acc[T] += v;
  }
}

function markGroups(flags: Uint8Array, groups: Int32Array, T: number, doGroups: boolean, doTotals: boolean): void {
  for (let n = 0; n < groups.length; n++) {
    const g = groups[n];
    if (g < 0) continue;
    if (doGroups) flags[g] = 1;
    if (doTotals) flags[T] = 1;
  }
}

/** Each row's number of durations (segments keep offsets). */
function rowDurations(seg: Segment): Float64Array {
  const out = new Float64Array(seg.rows);
  for (let n = 0; n < seg.rows; n++) out[n] = seg.durationStart[n + 1] - seg.durationStart[n];
  return out;
}

/** out[group] (and out[T]) = the number of distinct ids of key column `k` among the counted rows. */
function countDistinct(sources: Source[], rowGroup: Int32Array[], k: number, ids: number, out: Int32Array, T: number, doGroups: boolean, doTotals: boolean): void {
  const seen = new Set<number>();
  const seenTotal = new Uint8Array(doTotals ? ids : 0);
  sources.forEach((s, si) => {
    const keys = s.segment.keys[k];
    const groups = rowGroup[si];
    for (let n = 0; n < groups.length; n++) {
      const g = groups[n];
      if (g < 0) continue;
      const id = keys[n];
      if (doGroups) {
        const key = g * ids + id;
        if (!seen.has(key)) {
          seen.add(key);
          out[g]++;
        }
      }
      if (doTotals && !seenTotal[id]) {
        seenTotal[id] = 1;
        out[T]++;
      }
    }
  });
}

/** ReportRow's names of the sums (the statements' column aliases). */
const SUM_NAME: Record<(typeof SUM_FIELDS)[number][1], string> = {
  inputTokens: 'input', outputTokens: 'output', cacheReadTokens: 'cacheRead', cacheWriteTokens: 'cacheWrite', costTotal: 'costTotal',
  costInput: 'costInput', costOutput: 'costOutput', costCacheRead: 'costCacheRead', costCacheWrite: 'costCacheWrite', costSaved: 'costSaved',
  unpricedTokens: 'unpricedTokens',
};

function zeroRow(): ReportRow {
  return {
    isTotal: false, requests: 0, sessions: 0, users: 0, input: '0', output: '0', cacheRead: '0', cacheWrite: '0', p50: null, p95: null, p99: null,
    toolCalls: 0, injectedToolCalls: 0, toolErrors: 0, costTotal: '0', costInput: '0', costOutput: '0', costCacheRead: '0', costCacheWrite: '0',
    costSaved: '0', unpricedRequests: 0, unpricedTokens: '0', recordedRows: 0, bookRows: 0, purged: false,
    initiatorId: null, model: null, provider: null, providerName: null, client: null, credentialKind: null, bucketStart: null, bucketEnd: null,
    series: null, seriesEnds: null,
  };
}

/**
 * The conditions on rolled rows: the filter's keys and a member's own initiator, as dictionary
 * ids. null when a value is in no rolled row: no rolled row can match.
 */
function conditions(input: AggregateInput): [number, number][] | null {
  const wanted: [number, string][] = [];
  for (const [f, key] of FILTER_KEYS) {
    const v = input.q.filter[f];
    if (v !== undefined) wanted.push([KEY_INDEX[key], v]);
  }
  if (!input.viewer.seesAll) wanted.push([KEY_INDEX.initiatorId, input.viewer.id]);
  const out: [number, number][] = [];
  for (const [k, v] of wanted) {
    const id = input.dictionaries[k].find(v);
    if (id === undefined) return null;
    out.push([k, id]);
  }
  return out;
}

/** The live grain rows as a segment, keyed through the report's dictionary overlays. */
function liveSegment(live: readonly GrainRow[], overlays: DictionaryOverlay[]): Segment {
  const keys = KEY_FIELDS.map((f, k) => Int32Array.from(live, (r) => overlays[k].id(r[f])));
  keys.push(Int32Array.from(live, (r) => overlays[PAIR].id(`${r.sessionId}\u0000${r.initiatorId}`)));
  const durationStart = new Int32Array(live.length + 1);
  live.forEach((r, n) => { durationStart[n + 1] = durationStart[n] + r.durationsUs.length; });
  const durations = new Float64Array(durationStart[live.length]);
  live.forEach((r, n) => r.durationsUs.forEach((d, m) => { durations[durationStart[n] + m] = durationValue(d); }));
  return {
    rows: live.length,
    keys,
    sums: SUM_FIELDS.map(([, f]) => sumColumn(live.map((r) => String(r[f])))),
    counts: COUNT_FIELDS.map(([, f]) => Float64Array.from(live, (r) => Number(r[f]))),
    durationStart,
    durations,
  };
}
