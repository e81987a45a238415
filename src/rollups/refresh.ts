import type { Queryable } from '../db/db.ts';
import { named, sql } from '../db/sql.ts';
import { type PriceBook, pricingNeedsOfTable } from '../domain/usage/priced-usages.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { type ModelKey, modelKey } from '../prices/period.ts';
import { type GrainRow, grainRows, PERIOD_TEXT } from './grain.ts';
import { priceKeys } from './price-keys.ts';

export const HOUR_MS = 3_600_000;

/**
 * When a UTC hour may be rolled up. Coder writes an interception's row when the request starts
 * (started_at is the insert time) and its usages while it runs, so once an hour has ended, has
 * no interception in flight and `graceMs` has passed (clock skew between Coder replicas, a slow
 * insert), nothing can be added to it. Hours closed within the last `verifyHours` are counted
 * again at every refresh and rolled again if anything changed anyway.
 */
export interface RefreshOptions {
  now?: Date;
  graceMs?: number;
  verifyHours?: number;
  /** Hours rolled per statement and transaction. */
  batchHours?: number;
}

export const ROLLUP_DEFAULTS = { graceMs: 10 * 60_000, verifyHours: 24, batchHours: 24 } as const;

export interface RefreshResult {
  /** Hours (re)written as closed. */
  rolled: number;
  /** Hours left open (an interception in flight). */
  open: number;
  /** Hours newly marked as purged (Coder deleted their rows; the roll-ups keep them). */
  purged: number;
  /** Models re-priced because their prices changed. */
  repriced: number;
}

interface HourCount {
  period: string;
  interceptions: number;
  inFlight: number;
  tokenUsages: number;
  toolUsages: number;
}

const hourText = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+00`;
const hourMs = (text: string) => Date.parse(text.replace(' ', 'T').replace(/\+00$/, 'Z'));
const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/**
 * Brings the roll-ups in the gateway's store up to date with Coder's tables: closes the hours
 * that may close, re-counts recent and open ones, marks hours whose rows Coder's retention
 * deleted as purged (their roll-ups are kept, never rewritten) and re-prices the models whose
 * prices changed. Safe to run from several replicas at once (each write is one transaction under
 * an advisory lock and replaces what it writes).
 */
export async function refreshRollups(db: Queryable, prisma: PrismaClient, book: PriceBook, options: RefreshOptions = {}): Promise<RefreshResult> {
  const o = { ...ROLLUP_DEFAULTS, ...options };
  const now = (o.now ?? new Date()).getTime();
  const horizon = floorHour(now - o.graceMs);
  const result: RefreshResult = { rolled: 0, open: 0, purged: 0, repriced: 0 };

  const known = new Map((await prisma.usageRollupPeriod.findMany({ orderBy: { period: 'asc' } })).map((p) => [p.period.getTime(), p]));
  const [bounds] = await db.query<{ first: string | null }>(named('rollups.firstHour')`
    SELECT ${PERIOD_TEXT(sql`date_trunc('hour', min(started_at), 'UTC')`)} AS first FROM aibridge_interceptions`);
  const firstData = bounds.first === null ? null : hourMs(bounds.first);
  const knownHours = [...known.keys()];
  // From the oldest data on, or the oldest rolled hour where retention removed that data since.
  const first = knownHours.length && (firstData === null || knownHours[0] < firstData) ? knownHours[0] : firstData;
  if (first === null) return result;
  const edge = knownHours.length ? knownHours[knownHours.length - 1] + HOUR_MS : first;
  // An hour before the edge without a record (an interrupted first refresh, rows older than the
  // oldest rolled hour) is rolled like a new one.
  let gap = first;
  while (gap < edge && known.has(gap)) gap += HOUR_MS;

  // Retention: Coder deletes the oldest rows. Closed hours before the first remaining row are
  // purged; the roll-ups keep them and answers say so.
  const purgedNow = [...known.values()].filter((p) => !p.purged && p.interceptions > 0 && (firstData === null || p.period.getTime() < firstData));
  if (purgedNow.length) {
    await prisma.usageRollupPeriod.updateMany({ where: { period: { in: purgedNow.map((p) => p.period) } }, data: { purged: true } });
    for (const p of purgedNow) p.purged = true;
    result.purged += purgedNow.length;
  }

  // What needs counting: open hours, the verify window, and every hour up to the horizon.
  const recheckFrom = Math.min(gap, edge, Math.max(first, horizon - o.verifyHours * HOUR_MS));
  const holes = [...known.values()].filter((p) => p.state === 'open' && p.period.getTime() < recheckFrom && !p.purged).map((p) => p.period.getTime());
  // A week per statement: the first refresh of a large history stays within the statement timeout.
  const counts = holes.length ? await countHours(db, 0, 0, holes) : new Map<number, HourCount>();
  for (let h = recheckFrom; h < horizon; h += 168 * HOUR_MS) {
    for (const [k, v] of await countHours(db, h, Math.min(horizon, h + 168 * HOUR_MS), [])) counts.set(k, v);
  }
  const candidates = [...holes];
  for (let h = recheckFrom; h < horizon; h += HOUR_MS) candidates.push(h);

  const toRoll: number[] = [];
  const toOpen: number[] = [];
  for (const h of candidates) {
    const was = known.get(h);
    if (was?.purged) continue;
    const now = counts.get(h) ?? { period: hourText(h), interceptions: 0, inFlight: 0, tokenUsages: 0, toolUsages: 0 };
    if (was && was.state === 'closed' && now.interceptions < was.interceptions) {
      // Rows went missing from a closed hour: Coder's retention. Keep what was rolled.
      await prisma.usageRollupPeriod.update({ where: { period: was.period }, data: { purged: true } });
      result.purged++;
      continue;
    }
    if (now.inFlight > 0) toOpen.push(h);
    else if (!was || was.state === 'open' || was.interceptions !== now.interceptions || was.tokenUsages !== now.tokenUsages || was.toolUsages !== now.toolUsages) toRoll.push(h);
  }

  const { models, recorded } = await pricingNeedsOfTable(db, await book.capabilities());
  const periods = models.length ? await book.periodsFor(models) : [];
  const keys = priceKeys(models, periods);

  if (toOpen.length) {
    await writeHours(prisma, toOpen, [], toOpen.map((h) => counts.get(h)!), 'open');
    result.open = toOpen.length;
  }
  for (let n = 0; n < toRoll.length; n += o.batchHours) {
    const batch = toRoll.slice(n, n + o.batchHours);
    const rows = await grainRows(db, sql`date_trunc('hour', i.started_at, 'UTC') = ANY(${batch.map(hourText)}::timestamptz[])
      AND i.started_at >= ${hourText(batch[0])}::timestamptz AND i.started_at < ${hourText(batch[batch.length - 1] + HOUR_MS)}::timestamptz`, periods, recorded);
    await writeHours(prisma, batch, rows, batch.map((h) => counts.get(h) ?? { period: hourText(h), interceptions: 0, inFlight: 0, tokenUsages: 0, toolUsages: 0 }), 'closed');
    result.rolled += batch.length;
  }

  // Re-price the retained closed hours of the models whose prices changed since they were rolled.
  const stored = new Map((await prisma.usageRollupPrice.findMany()).map((p) => [modelKey(p), p.priceKey]));
  const stale = models.filter((m) => stored.has(modelKey(m)) && stored.get(modelKey(m)) !== keys.get(modelKey(m)));
  const rolledNow = new Set(toRoll);
  const retained = (await prisma.usageRollupPeriod.findMany({ where: { state: 'closed', purged: false }, select: { period: true } }))
    .map((p) => p.period.getTime()).filter((h) => !rolledNow.has(h));
  if (stale.length && retained.length) {
    await reprice(db, prisma, stale, retained, periods, recorded);
    result.repriced = stale.length;
  }
  await prisma.$transaction([
    prisma.usageRollupPrice.deleteMany({}),
    prisma.usageRollupPrice.createMany({ data: models.map((m) => ({ provider: m.provider, model: m.model, priceKey: keys.get(modelKey(m))! })) }),
  ]);
  return result;
}

/** Per hour: interceptions, those in flight, and their token and tool usages. One statement. */
async function countHours(db: Queryable, from: number, to: number, holes: number[]): Promise<Map<number, HourCount>> {
  const rows = await db.query<HourCount>(named('rollups.countHours')`
    WITH i AS (
      SELECT i.id, i.started_at, i.ended_at FROM aibridge_interceptions i
       WHERE i.started_at >= ${hourText(from)}::timestamptz AND i.started_at < ${hourText(to)}::timestamptz
      UNION ALL
      SELECT i.id, i.started_at, i.ended_at FROM unnest(${holes.map(hourText)}::timestamptz[]) h
        JOIN aibridge_interceptions i ON i.started_at >= h AND i.started_at < h + interval '1 hour'
    )
    SELECT ${PERIOD_TEXT(sql`date_trunc('hour', i.started_at, 'UTC')`)} AS period, count(*)::int AS interceptions,
           (count(*) FILTER (WHERE i.ended_at IS NULL))::int AS "inFlight",
           coalesce(sum((SELECT count(*) FROM aibridge_token_usages t WHERE t.interception_id = i.id)), 0)::int AS "tokenUsages",
           coalesce(sum((SELECT count(*) FROM aibridge_tool_usages t WHERE t.interception_id = i.id)), 0)::int AS "toolUsages"
      FROM i GROUP BY 1`);
  return new Map(rows.map((r) => [hourMs(r.period), r]));
}

const toRollup = (r: GrainRow) => ({
  period: new Date(hourMs(r.period)),
  initiatorId: r.initiatorId,
  sessionId: r.sessionId,
  model: r.model,
  provider: r.provider,
  providerName: r.providerName,
  client: r.client,
  credentialKind: r.credentialKind,
  requests: r.requests,
  inputTokens: BigInt(r.inputTokens),
  outputTokens: BigInt(r.outputTokens),
  cacheReadTokens: BigInt(r.cacheReadTokens),
  cacheWriteTokens: BigInt(r.cacheWriteTokens),
  costTotal: BigInt(r.costTotal),
  costInput: BigInt(r.costInput),
  costOutput: BigInt(r.costOutput),
  costCacheRead: BigInt(r.costCacheRead),
  costCacheWrite: BigInt(r.costCacheWrite),
  costSaved: BigInt(r.costSaved),
  unpricedRequests: r.unpricedRequests,
  unpricedTokens: BigInt(r.unpricedTokens),
  recordedRows: r.recordedRows,
  bookRows: r.bookRows,
  toolCalls: r.toolCalls,
  injectedToolCalls: r.injectedToolCalls,
  toolErrors: r.toolErrors,
  durationsUs: r.durationsUs.map((d) => BigInt(d)),
});

// Writers serialize on this key (pg_advisory_xact_lock), so replicas sharing a state database
// never interleave a delete and an insert of the same hours.
const WRITE_LOCK = 72707370;
// A day of a busy gateway is thousands of rows: Prisma's 5 s default for a transaction is too short
// on a loaded machine (measured 5.5 s for one day of the 1M bench data set with 2 shared cores).
const WRITE_TIMEOUTS = { maxWait: 60_000, timeout: 300_000 };

/** Replaces the roll-up rows and the period records of `hours` in one transaction. */
async function writeHours(prisma: PrismaClient, hours: number[], rows: GrainRow[], counts: HourCount[], state: 'closed' | 'open') {
  const dates = hours.map((h) => new Date(h));
  await prisma.$transaction([
    prisma.$queryRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK})::text`,
    prisma.usageRollup.deleteMany({ where: { period: { in: dates } } }),
    prisma.usageRollup.createMany({ data: rows.map(toRollup) }),
    prisma.usageRollupPeriod.deleteMany({ where: { period: { in: dates } } }),
    prisma.usageRollupPeriod.createMany({
      data: counts.map((c) => ({ period: new Date(hourMs(c.period)), state, interceptions: c.interceptions, tokenUsages: c.tokenUsages, toolUsages: c.toolUsages })),
    }),
  ], WRITE_TIMEOUTS);
}

/** Rewrites the rows of `models` in the retained hours with the current prices, a batch of hours at a time. */
async function reprice(db: Queryable, prisma: PrismaClient, models: ModelKey[], hours: number[], periods: Parameters<typeof grainRows>[2], recorded: boolean) {
  const byModel = sql`(i.provider, i.model) IN (SELECT * FROM unnest(${models.map((m) => m.provider)}::text[], ${models.map((m) => m.model)}::text[]))`;
  const sorted = [...hours].sort((a, b) => a - b);
  for (let n = 0; n < sorted.length; n += 168) {
    const batch = sorted.slice(n, n + 168);
    const rows = await grainRows(db, sql`${byModel} AND date_trunc('hour', i.started_at, 'UTC') = ANY(${batch.map(hourText)}::timestamptz[])
      AND i.started_at >= ${hourText(batch[0])}::timestamptz AND i.started_at < ${hourText(batch[batch.length - 1] + HOUR_MS)}::timestamptz`, periods, recorded);
    await prisma.$transaction([
      prisma.$queryRaw`SELECT pg_advisory_xact_lock(${WRITE_LOCK})::text`,
      prisma.usageRollup.deleteMany({ where: { period: { in: batch.map((h) => new Date(h)) }, OR: models.map((m) => ({ provider: m.provider, model: m.model })) } }),
      prisma.usageRollup.createMany({ data: rows.map(toRollup) }),
    ], WRITE_TIMEOUTS);
  }
}
