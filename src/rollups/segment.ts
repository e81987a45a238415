/**
 * The columnar form of grain rows (src/rollups/grain.ts) the roll-up reader aggregates in JS: one
 * segment per closed UTC hour of the store, and one for a report's live grain rows. Keys are
 * dictionary ids, sums typed arrays, durations one flat array with per-row offsets.
 */

/** Strings to dense ids; ids are never reused, so segments built earlier stay valid as it grows. */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  find(value: string): number | undefined {
    return this.ids.get(value);
  }

  get size(): number {
    return this.values.length;
  }
}

/** A dictionary's extension for one report: values it lacks get ids after its own, without changing it. */
export class DictionaryOverlay {
  private readonly extra = new Map<string, number>();
  private readonly added: string[] = [];
  private readonly base: number;

  constructor(private readonly dict: Dictionary) {
    this.base = dict.size;
  }

  id(value: string): number {
    const own = this.dict.find(value);
    if (own !== undefined && own < this.base) return own;
    let id = this.extra.get(value);
    if (id === undefined) {
      id = this.base + this.added.length;
      this.extra.set(value, id);
      this.added.push(value);
    }
    return id;
  }

  value(id: number): string {
    return id < this.base ? this.dict.values[id] : this.added[id - this.base];
  }

  get size(): number {
    return this.base + this.added.length;
  }
}

/** The key columns, in this order everywhere (GrainRow field names). */
export const KEY_FIELDS = ['initiatorId', 'sessionId', 'model', 'provider', 'providerName', 'client', 'credentialKind'] as const;
export type KeyField = (typeof KEY_FIELDS)[number];
/** (session, initiator) pairs: what `sessions` counts distinct. Its own dictionary. */
export const PAIR = KEY_FIELDS.length;

/** Integer sums that may pass 2^53 in a wide enough report (store column, GrainRow field). */
export const SUM_FIELDS = [
  ['input_tokens', 'inputTokens'], ['output_tokens', 'outputTokens'], ['cache_read_tokens', 'cacheReadTokens'],
  ['cache_write_tokens', 'cacheWriteTokens'], ['cost_total', 'costTotal'], ['cost_input', 'costInput'], ['cost_output', 'costOutput'],
  ['cost_cache_read', 'costCacheRead'], ['cost_cache_write', 'costCacheWrite'], ['cost_saved', 'costSaved'], ['unpriced_tokens', 'unpricedTokens'],
] as const;
/** int4 counts (store column, GrainRow field). */
export const COUNT_FIELDS = [
  ['requests', 'requests'], ['unpriced_requests', 'unpricedRequests'], ['recorded_rows', 'recordedRows'], ['book_rows', 'bookRows'],
  ['tool_calls', 'toolCalls'], ['injected_tool_calls', 'injectedToolCalls'], ['tool_errors', 'toolErrors'],
] as const;

/**
 * A sum column: as float64 while every value is a safe integer (`abs` bounds the column's
 * contribution to any sum, so the reader knows when float64 sums stay exact), else as bigints.
 */
export type SumColumn = { kind: 'f64'; values: Float64Array; abs: number } | { kind: 'big'; values: bigint[] };

export interface Segment {
  rows: number;
  /** Per KEY_FIELDS entry and then PAIR: each row's dictionary id. */
  keys: Int32Array[];
  sums: SumColumn[];
  counts: Float64Array[];
  /** Row n's completed durations (µs) are durations[durationStart[n] .. durationStart[n + 1]). */
  durationStart: Int32Array;
  durations: Float64Array;
}

/** Decimal integer texts (PostgreSQL's int8/numeric output) as a sum column, exact. */
export function sumColumn(texts: readonly string[]): SumColumn {
  const values = new Float64Array(texts.length);
  let abs = 0;
  for (let n = 0; n < texts.length; n++) {
    const v = Number(texts[n]);
    if (!Number.isSafeInteger(v)) return { kind: 'big', values: texts.map((t) => BigInt(t)) };
    values[n] = v;
    abs += Math.abs(v);
  }
  return { kind: 'f64', values, abs };
}

/** Durations in whole µs (text or numbers from a driver) as float64: exact below 2^53 µs (285 years). */
export function durationValue(v: string | number | bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`duration of ${String(v)} µs out of range`);
  return n;
}

export function bytesOf(s: Segment): number {
  const typed = [...s.keys, ...s.counts, s.durationStart, s.durations].reduce((a, t) => a + t.byteLength, 0);
  return typed + s.sums.reduce((a, c) => a + (c.kind === 'f64' ? c.values.byteLength : c.values.length * 16), 0);
}
