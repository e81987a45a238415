import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, type SqlFragment, sql } from '../db/sql.ts';
import { interceptionConditions } from '../domain/interception-filter.ts';
import { rethrowZoneError } from '../domain/usage/errors.ts';
import { type PriceBook, pricingNeedsOfTable } from '../domain/usage/priced-usages.ts';
import type { TimeBucket, UsageQuery } from '../domain/usage/query.ts';
import {
  ALL_PARTS, bucketEnd, bucketSeries, bucketStart, checkQuery, finishReport, type UsageParts, type UsageReport, usageReport, wantedParts,
} from '../domain/usage/report.ts';
import { parseRfc3339 } from '../domain/validation.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { modelKey } from '../prices/period.ts';
import { aggregate } from './aggregate.ts';
import { hourText, type RollupCache, type StoreState, textMs } from './cache.ts';
import { grainRows, PERIOD_TEXT } from './grain.ts';
import { priceKeys } from './price-keys.ts';
import { HOUR_MS } from './refresh.ts';
import { storeQueryable } from './store-sql.ts';

/** Why an answer was computed live rather than from roll-ups (for tests, logs and the bench). */
export type LiveReason = 'no-rollups' | 'filter' | 'sources' | 'zone' | 'prices' | 'range';

export interface RolledReport extends UsageReport {
  /** null when roll-ups answered (with a live part for what they do not cover). */
  live: LiveReason | null;
}

interface Meta {
  start: string | null;
  edge: string | null;
  open: string[];
  purgedUntil: string | null;
  wholeHours: boolean;
  /** Each closed hour as `period|rolled_at`. */
  closed: string[];
  prices: string;
}

const micros = (rfc3339: string) => parseRfc3339(rfc3339.toUpperCase())!.epochNanos / 1000n;

/** The store's periods and prices at one moment; `wholeHours` says whether `timeZone`'s hours are UTC's. */
async function readMeta(store: Queryable, timeZone: string): Promise<Meta | undefined> {
  const [meta] = await store.query<Meta>(named('rollups.meta')`
    SELECT ${PERIOD_TEXT(sql`min(p.period)`)} AS start, ${PERIOD_TEXT(sql`max(p.period) + interval '1 hour'`)} AS edge,
           coalesce(array_agg(${PERIOD_TEXT(sql`p.period`)} ORDER BY p.period) FILTER (WHERE p.state = 'open'), '{}') AS open,
           ${PERIOD_TEXT(sql`max(p.period) FILTER (WHERE p.purged) + interval '1 hour'`)} AS "purgedUntil",
           coalesce(bool_and(date_trunc('hour', p.period, ${timeZone}::text) = p.period), true) AS "wholeHours",
           coalesce(array_agg(${PERIOD_TEXT(sql`p.period`)} || '|' || p.rolled_at::text ORDER BY p.period) FILTER (WHERE p.state = 'closed'), '{}') AS closed,
           (SELECT coalesce(string_agg(x.provider || '/' || x.model || '=' || x.price_key, '|' ORDER BY x.provider, x.model), '')
              FROM gateway_usage_rollup_prices x) AS prices
      FROM gateway_usage_rollup_periods p`).catch(missingStore);
  return meta;
}

const stateOf = (meta: Meta): StoreState => ({
  closed: new Map(meta.closed.map((c) => [textMs(c.slice(0, c.indexOf('|'))), c.slice(c.indexOf('|') + 1)])),
  prices: meta.prices,
});

/**
 * Loads every closed hour the copy lacks (or holds stale), as the first answer after a start or
 * a refresh would: `serve` calls it after each refresh, so no request waits for it (the first
 * U1 answer after a start took 2.7-6.3 s at 1M interceptions while the copy loaded). Returns the
 * hours the copy holds.
 */
export async function warmRollups(prisma: PrismaClient, cache: RollupCache): Promise<number> {
  const store = storeQueryable(prisma);
  const meta = await readMeta(store, 'UTC');
  if (!meta?.start) return cache.hourCount;
  const state = stateOf(meta);
  await cache.segments(store, state, [...state.closed.keys()]);
  return cache.hourCount;
}

/**
 * Query.usage from the roll-ups of closed hours plus a live part, with figures identical to
 * `usageReport` (the live computation) over the same interceptions:
 *
 * - the roll-ups answer the whole UTC hours inside the filter's range that are closed; the live
 *   part is every other matching interception (the open edge, hours with an interception in
 *   flight, the partial hours at either end of the range), computed by the same grain statement
 *   the refresher uses (src/rollups/grain.ts);
 * - the rolled rows come from the app's in-memory copy of the store's closed hours
 *   (src/rollups/cache.ts), and both parts are aggregated in JS (src/rollups/aggregate.ts) with
 *   PostgreSQL's own zone math for the buckets (one small statement);
 * - distinct sessions and users are counted over grain keys that hold the session and the
 *   initiator, percentiles over the very durations the live percentile sorts: exact, not additive;
 * - it answers live instead when the roll-ups cannot answer exactly: a filter they do not hold
 *   (`failed`), the split of costs by price source (`Cost.sources`), a bucket in a zone whose offset is not a whole number of hours over the rolled
 *   hours, a model whose prices changed since it was rolled (until the refresher re-prices it),
 *   or a range holding no whole closed hour.
 *
 * Amounts of purged hours (Coder's retention deleted their rows) come from the roll-ups alone
 * and are flagged `purged`; a live answer has no figures for them.
 */
export async function rolledUsageReport(
  db: Queryable, prisma: PrismaClient, cache: RollupCache, viewer: Viewer, book: PriceBook, q: UsageQuery, asked: UsageParts = ALL_PARTS,
): Promise<RolledReport> {
  const live = async (why: LiveReason): Promise<RolledReport> => ({ ...(await usageReport(db, viewer, book, q, asked)), live: why });
  const range = checkQuery(q);
  const want = wantedParts(q, asked);
  if (!want.groups && !want.totals) return { totals: null, groups: [], live: null };
  if (q.filter.failed) return live('filter');
  // The roll-ups keep each grain row's amounts, not their split by price source.
  if (want.usages && want.sources) return live('sources');

  const store = storeQueryable(prisma);
  const meta = await readMeta(store, q.timeZone);
  if (!meta?.start || !meta.edge) return live('no-rollups');
  if (q.bucket && !meta.wholeHours) return live('zone');

  // The rolled window: whole closed hours inside the (inclusive) range.
  const start = textMs(meta.start);
  const edge = textMs(meta.edge);
  const after = q.filter.startedAfter === undefined ? null : micros(q.filter.startedAfter);
  const before = q.filter.startedBefore === undefined ? null : micros(q.filter.startedBefore) + 1n;
  const ceilHour = (us: bigint) => Number((us + BigInt(HOUR_MS) * 1000n - 1n) / (BigInt(HOUR_MS) * 1000n)) * HOUR_MS;
  const floorHour = (us: bigint) => Number(us / (BigInt(HOUR_MS) * 1000n)) * HOUR_MS;
  const lo = Math.max(start, after === null ? start : ceilHour(after));
  const hi = Math.min(edge, before === null ? edge : floorHour(before));
  if (lo >= hi) return live('range');

  const { models, recorded } = want.usages ? await pricingNeedsOfTable(db, await book.capabilities()) : { models: [], recorded: false };
  const periods = models.length ? await book.periodsFor(models) : [];
  if (want.usages) {
    const keys = priceKeys(models, periods);
    const stored = await prisma.usageRollupPrice.findMany();
    if (stored.some((p) => keys.has(modelKey(p)) && keys.get(modelKey(p)) !== p.priceKey)) return live('prices');
    // A model the refresher has not priced yet may still have rolled rows from before it knew it.
    const storedKeys = new Set(stored.map(modelKey));
    if (models.some((m) => !storedKeys.has(modelKey(m)))) return live('prices');
  }

  const open = meta.open.map(textMs).filter((h) => h >= lo && h < hi);
  const outside = sql.join([
    sql`i.started_at < ${hourText(lo)}::timestamptz`,
    sql`i.started_at >= ${hourText(hi)}::timestamptz`,
    ...open.map((h) => sql`(i.started_at >= ${hourText(h)}::timestamptz AND i.started_at < ${hourText(h + HOUR_MS)}::timestamptz)`),
  ], sql` OR `);
  const zone = q.timeZone;

  const purgedUntil = meta.purgedUntil === null ? null : textMs(meta.purgedUntil);
  const state = stateOf(meta);
  const wanted = [...state.closed.keys()].filter((h) => h >= lo && h < hi);
  try {
    const [segments, liveRows] = await Promise.all([
      cache.segments(store, state, wanted),
      grainRows(db, sql`${interceptionConditions(viewer, q.filter)} AND (${outside})`, periods, recorded,
        q.bucket ? PERIOD_TEXT(bucketStart(q.bucket, sql`i.started_at`, zone)) : sql`NULL::text`, want.tools),
    ]);
    const hours = [...segments].map(([hour, segment]) => ({ hour, segment, purged: purgedUntil !== null && hour < purgedUntil }));
    const b = q.bucket ? await bucketsOf(db, q.bucket, zone, range, hours.map((h) => h.hour), [...new Set(liveRows.map((r) => r.bucket!))]) : null;
    const rows = aggregate({
      q, want, viewer, dictionaries: cache.dictionaries, live: liveRows,
      hours: hours.map((h, n) => ({ segment: h.segment, purged: h.purged, bucket: b ? b.hourBuckets[n] : null })),
      bucketEnds: b?.ends ?? new Map(), series: b?.series ?? null, seriesEnds: b?.seriesEnds ?? null,
    });
    return { ...finishReport(rows, q, want, range), live: null };
  } catch (err) {
    rethrowZoneError(err, zone);
  }
}

/** A store without the roll-up tables (a Coder database served read-only without a state store) has no roll-ups. */
function missingStore(err: unknown): Meta[] {
  if ((err as { code?: string; meta?: { code?: string } }).meta?.code === '42P01' || /gateway_usage_rollup_periods/.test(String((err as Error).message))) return [];
  throw err;
}

/**
 * The zone math of the rolled part, in PostgreSQL as the live statement does it: each rolled
 * hour's bucket start, each bucket start's end (rolled and live ones), and the range's series.
 * One small statement (at most an entry per hour of the range), in Coder's database, whose
 * time zone data also cut the live part's buckets.
 */
async function bucketsOf(db: Queryable, bucket: TimeBucket, zone: string, range: { from: string; to: string } | null, hours: number[], live: string[]) {
  const iso = (ts: SqlFragment) => PERIOD_TEXT(ts);
  const [r] = await db.query<{ hourBuckets: string[]; starts: string[]; ends: string[]; series: string[] | null; seriesEnds: string[] | null }>(named('rollups.buckets')`
    WITH h AS (SELECT ${bucketStart(bucket, sql`h.h`, zone)} AS b, h.n FROM unnest(${hours.map(hourText)}::timestamptz[]) WITH ORDINALITY AS h(h, n)),
         b AS (SELECT h.b FROM h UNION SELECT unnest(${live}::timestamptz[]))
    SELECT (SELECT coalesce(array_agg(${iso(sql`h.b`)} ORDER BY h.n), '{}') FROM h) AS "hourBuckets",
           (SELECT coalesce(array_agg(${iso(sql`b.b`)} ORDER BY b.b), '{}') FROM b) AS starts,
           (SELECT coalesce(array_agg(${iso(bucketEnd(bucket, sql`b.b`, zone))} ORDER BY b.b), '{}') FROM b) AS ends,
           ${range ? sql`(SELECT array_agg(${iso(sql`s.b`)} ORDER BY s.b) FROM (${bucketSeries(bucket, range.from, range.to, zone)}) s)` : sql`NULL::text[]`} AS series,
           ${range ? sql`(SELECT array_agg(${iso(bucketEnd(bucket, sql`s.b`, zone))} ORDER BY s.b) FROM (${bucketSeries(bucket, range.from, range.to, zone)}) s)` : sql`NULL::text[]`} AS "seriesEnds"`);
  return { hourBuckets: r.hourBuckets, ends: new Map(r.starts.map((s, n) => [s, r.ends[n]])), series: r.series, seriesEnds: r.seriesEnds };
}
