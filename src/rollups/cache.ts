import type { Queryable } from '../db/db.ts';
import { named, sql } from '../db/sql.ts';
import { PERIOD_TEXT } from './grain.ts';
import { bytesOf, COUNT_FIELDS, Dictionary, durationValue, KEY_FIELDS, PAIR, type Segment, SUM_FIELDS, sumColumn } from './segment.ts';

/** What the reader needs of the roll-up store at one moment (the meta statement in src/rollups/read.ts). */
export interface StoreState {
  /** Every closed hour (ms) and its version (rolled_at: a re-count rewrites it). */
  closed: Map<number, string>;
  /** The prices the rolled amounts were computed with (gateway_usage_rollup_prices): a re-price rewrites rows without touching rolled_at. */
  prices: string;
}

interface Held {
  version: string;
  segment: Segment;
}

/**
 * The store's rolled grain rows of closed hours, in memory: one per app (createApp), shared by
 * its requests. Answering U1 (the whole history grouped by model and day) in PostgreSQL took 5 s
 * at 1M interceptions, most of it sorting 1M durations and counting distinct over 180k keys in
 * one statement; over columnar rows in memory both are a pass in JS. Closed hours change only
 * when the refresher re-counts (rolled_at changes) or re-prices (the prices fingerprint changes):
 * each read loads the hours it needs that are missing or stale (one statement) and drops the
 * hours no longer closed. The rows stay in the store: a restart or another replica loads them again.
 */
export class RollupCache {
  /** KEY_FIELDS, then (session, initiator) pairs: grow-only, shared by every segment. */
  readonly dictionaries: Dictionary[] = [...KEY_FIELDS, 'pair'].map(() => new Dictionary());
  private readonly hours = new Map<number, Held>();
  private prices: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * The segments of `wanted` (closed hours; an hour without rows has none), current as of
   * `state`. Calls run one after another, so two reports never load the same hours twice.
   */
  segments(store: Queryable, state: StoreState, wanted: readonly number[]): Promise<Map<number, Segment>> {
    const run = this.queue.then(() => this.sync(store, state, wanted));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Bytes held in typed arrays and bigint columns (dictionary strings not counted). */
  bytes(): number {
    let n = 0;
    for (const h of this.hours.values()) n += bytesOf(h.segment);
    return n;
  }

  get hourCount(): number {
    return this.hours.size;
  }

  private async sync(store: Queryable, state: StoreState, wanted: readonly number[]): Promise<Map<number, Segment>> {
    if (state.prices !== this.prices) {
      this.hours.clear();
      this.prices = state.prices;
    }
    for (const [hour, held] of this.hours) {
      if (state.closed.get(hour) !== held.version) this.hours.delete(hour);
    }
    const missing = wanted.filter((h) => state.closed.has(h) && !this.hours.has(h));
    if (missing.length) {
      const loaded = await this.load(store, missing);
      // Hours without rows (nothing happened in them) hold an empty segment, so they are not asked for again.
      for (const h of missing) this.hours.set(h, loaded.get(h) ?? { version: state.closed.get(h)!, segment: EMPTY });
    }
    const out = new Map<number, Segment>();
    for (const h of wanted) {
      const held = this.hours.get(h);
      if (held && held.segment.rows) out.set(h, held.segment);
    }
    return out;
  }

  /** One statement, a row per hour: each column as an array or comma-joined text, all in the same row order. */
  private async load(store: Queryable, hours: number[]): Promise<Map<number, Held>> {
    // Any order the same for every aggregate: the row's address is the cheapest to sort by (7.7 s
    // for the 1M bench's 180k rows by the primary key, 5.5 s by ctid, under load).
    const order = sql`ORDER BY r.ctid`;
    const rows = await store.query<LoadedHour>(named('rollups.cacheLoad')`
      SELECT ${PERIOD_TEXT(sql`r.period`)} AS period, min(p.rolled_at::text) AS version,
             ${sql.join(KEY_FIELDS.map((f, n) => sql`array_agg(r.${sql.ident(KEY_COLUMNS[n])}::text ${order}) AS ${sql.ident(f)}`), sql`, `)},
             ${sql.join([...SUM_FIELDS, ...COUNT_FIELDS].map(([c, f]) => sql`string_agg(r.${sql.ident(c)}::text, ',' ${order}) AS ${sql.ident(f)}`), sql`, `)},
             string_agg(cardinality(r.durations_us)::text, ',' ${order}) AS "durationCounts",
             string_agg(nullif(array_to_string(r.durations_us, ','), ''), ',' ${order}) AS durations
        FROM gateway_usage_rollups r JOIN gateway_usage_rollup_periods p ON p.period = r.period
       WHERE p.state = 'closed' AND r.period = ANY(${hours.map(hourText)}::timestamptz[])
       GROUP BY r.period`);
    return new Map(rows.map((h) => [textMs(h.period), { version: h.version, segment: this.build(h) }]));
  }

  private build(h: LoadedHour): Segment {
    const rows = h.initiatorId.length;
    const keys = KEY_FIELDS.map((f, k) => Int32Array.from(h[f], (v) => this.dictionaries[k].id(v)));
    keys.push(Int32Array.from({ length: rows }, (_, n) => this.dictionaries[PAIR].id(`${h.sessionId[n]}\u0000${h.initiatorId[n]}`)));
    const counts = h.durationCounts.split(',').map(Number);
    const durationStart = new Int32Array(rows + 1);
    for (let n = 0; n < rows; n++) durationStart[n + 1] = durationStart[n] + counts[n];
    const durations = h.durations ? Float64Array.from(h.durations.split(','), durationValue) : new Float64Array(0);
    return {
      rows,
      keys,
      sums: SUM_FIELDS.map(([, f]) => sumColumn(h[f].split(','))),
      counts: COUNT_FIELDS.map(([, f]) => Float64Array.from(h[f].split(','), Number)),
      durationStart,
      durations,
    };
  }
}

const KEY_COLUMNS = ['initiator_id', 'session_id', 'model', 'provider', 'provider_name', 'client', 'credential_kind'];
const EMPTY: Segment = { rows: 0, keys: [], sums: [], counts: [], durationStart: new Int32Array(1), durations: new Float64Array(0) };

type LoadedHour = { period: string; version: string; durationCounts: string; durations: string | null }
  & Record<(typeof KEY_FIELDS)[number], string[]>
  & Record<(typeof SUM_FIELDS)[number][1] | (typeof COUNT_FIELDS)[number][1], string>;

export const hourText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00`;
export const textMs = (text: string) => Date.parse(text.replace(' ', 'T').replace(/\+00$/, 'Z'));
