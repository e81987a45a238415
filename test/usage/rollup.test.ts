import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.ts';
import type { Queryable } from '../../src/db/db.ts';
import { named } from '../../src/db/sql.ts';
import { USAGE_DIMENSIONS, TIME_BUCKETS, type UsageQuery } from '../../src/domain/usage/query.ts';
import { ALL_PARTS, type UsageReport, usageReport } from '../../src/domain/usage/report.ts';
import { priceBook } from '../../src/prices/book.ts';
import { setPrice } from '../../src/prices/overrides.ts';
import { prismaOver } from '../../src/prices/prisma.ts';
import { RollupCache } from '../../src/rollups/cache.ts';
import { rolledUsageReport } from '../../src/rollups/read.ts';
import { refreshRollups } from '../../src/rollups/refresh.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addTokenUsage, addToolUsage, addUser } from '../support/fixtures.ts';

/**
 * Roll-ups never change an answer: Query.usage from roll-ups of closed hours plus a live part
 * equals the live computation over randomized filters, zones (a half-hour zone among them),
 * buckets, dimensions and viewers — before and after rows in flight at the first refresh end,
 * after a late row, after a price change — and a refresh after Coder's retention deleted rows
 * keeps the history and flags it.
 */
const MODELS = [['anthropic', 'claude-sonnet-4-5'], ['anthropic', 'claude-haiku-4-5'], ['openai', 'gpt-4.1'], ['copilot', 'gpt-4.1']] as const;
const CLIENTS = [null, 'Unknown', 'Claude Code', 'Cursor'] as const;
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Tokyo'];
// Mar 6-10 2026: New York changes to DST on Mar 8.
const FROM = Date.parse('2026-03-06T00:00:00Z');
const TO = Date.parse('2026-03-10T14:00:00Z');
const NOW = new Date('2026-03-10T12:30:00Z');
const IN_FLIGHT_AT = '2026-03-09T05:10:00.250001Z';

/** A small deterministic generator (mulberry32), so the data is the same on every run. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number, micros: number) => `${new Date(ms).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;

let users: Record<'root' | 'alice' | 'bob', { id: string }>;
let inFlightId: string;

async function writeData(db: Queryable) {
  users = {
    root: await addUser(db, { username: 'root', role: 'owner' }),
    alice: await addUser(db, { username: 'alice' }),
    bob: await addUser(db, { username: 'bob' }),
  };
  const who = [users.root, users.alice, users.bob];
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  for (let n = 0; n < 260; n++) {
    const start = FROM + Math.floor(r() * (TO - FROM));
    const [provider, model] = pick(MODELS);
    const durationMs = Math.floor(r() * 40_000) + 1;
    const id = await addInterception(db, {
      initiatorId: pick(who).id, provider, model, providerName: pick(['', 'primary']), client: pick(CLIENTS),
      clientSessionId: `s${Math.floor(r() * 12)}`, credentialKind: pick(['centralized', 'byok'] as const),
      startedAt: iso(start, Math.floor(r() * 1e6)),
      // The last hours hold requests still in flight (the open edge).
      endedAt: start > TO - 2 * 3_600_000 && r() < 0.3 ? null : iso(start + durationMs, Math.floor(r() * 1e6)),
    });
    for (let u = Math.floor(r() * 4); u > 0; u--) {
      await addTokenUsage(db, {
        interceptionId: id, createdAt: iso(start, 0),
        input: r() < 0.05 ? 3_000_000_000 : Math.floor(r() * 300_000), output: Math.floor(r() * 5_000),
        cacheRead: r() < 0.5 ? Math.floor(r() * 250_000) : 0, cacheWrite: r() < 0.3 ? Math.floor(r() * 20_000) : 0,
      });
    }
    for (let t = Math.floor(r() * 3); t > 0; t--) {
      await addToolUsage(db, { interceptionId: id, tool: 'Read', injected: r() < 0.4, invocationError: pick([null, '', 'boom']), createdAt: iso(start, 0) });
    }
  }
  // In flight at the first refresh, in an hour that has otherwise closed.
  inFlightId = await addInterception(db, { initiatorId: users.alice.id, provider: 'openai', model: 'gpt-4.1', startedAt: IN_FLIGHT_AT, endedAt: null, clientSessionId: 's1' });
  await addTokenUsage(db, { interceptionId: inFlightId, createdAt: IN_FLIGHT_AT, input: 1000, output: 10 });
}

const viewerOf = (u: { id: string }, seesAll: boolean): Viewer => ({ id: u.id, username: '', name: '', avatarUrl: '', roles: [], seesAll });

const instant = fc.integer({ min: FROM - 3_600_000, max: TO + 3_600_000 }).chain((ms) =>
  fc.oneof(fc.constant(new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString()), fc.integer({ min: 0, max: 999_999 }).map((us) => iso(ms, us))));

const queries = fc.record({
  groupBy: fc.shuffledSubarray([...USAGE_DIMENSIONS], { maxLength: 3 }),
  bucket: fc.option(fc.constantFrom(...TIME_BUCKETS), { nil: undefined }),
  timeZone: fc.constantFrom(...ZONES),
  after: fc.option(instant, { nil: undefined }),
  before: fc.option(instant, { nil: undefined }),
  model: fc.option(fc.constantFrom('gpt-4.1', 'claude-sonnet-4-5'), { nil: undefined }),
  provider: fc.option(fc.constantFrom('openai', 'anthropic'), { nil: undefined }),
  client: fc.option(fc.constantFrom('Unknown', 'Cursor'), { nil: undefined }),
  sessionId: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined }),
  initiator: fc.option(fc.constantFrom<'alice' | 'bob'>('alice', 'bob'), { nil: undefined }),
  includeInFlight: fc.boolean(),
  member: fc.constantFrom<'alice' | 'bob' | undefined>(undefined, 'alice', 'bob'),
  orderBy: fc.option(fc.constantFrom<'COST' | 'REQUESTS' | 'DURATION_P95' | 'SESSIONS'>('COST', 'REQUESTS', 'DURATION_P95', 'SESSIONS'), { nil: undefined }),
  first: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
});

type Q = typeof queries extends fc.Arbitrary<infer T> ? T : never;

function toQuery(x: Q): { viewer: Viewer; q: UsageQuery } {
  const [a, b] = x.after && x.before && x.after > x.before ? [x.before, x.after] : [x.after, x.before];
  return {
    viewer: x.member ? viewerOf(users[x.member], false) : viewerOf(users.root, true),
    q: {
      filter: {
        startedAfter: a, startedBefore: b, model: x.model, provider: x.provider, client: x.client, sessionId: x.sessionId,
        initiatorId: x.initiator ? users[x.initiator].id : undefined, includeInFlight: x.includeInFlight,
      },
      groupBy: x.groupBy,
      // A bucket over an unbounded range at HOUR granularity is fine here (a few days of data).
      bucket: x.bucket,
      timeZone: x.timeZone,
      orderBy: x.orderBy ? { field: x.orderBy, direction: 'DESC' } : undefined,
      first: x.first,
    },
  };
}

// Each test runs dozens of reports on both paths; on a shared 2-core machine that takes minutes.
const SLOW = 300_000;

/** Every part but the split of costs by price source, which the roll-ups do not keep (asked for, the answer is live). */
const ROLLED: typeof ALL_PARTS = { ...ALL_PARTS, sources: false };

const withoutPurged = (r: UsageReport) => JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === 'purged' ? undefined : v))) as unknown;

describeEachDb(
  'usage roll-ups',
  (ctx) => {
    const prisma = () => prismaOver(ctx().db);
    // One per database, shared by every test below as an app shares it by its requests: re-rolled,
    // re-priced and purged hours must be noticed across refreshes.
    const cache = new RollupCache();
    const refresh = (now = NOW) => refreshRollups(ctx().db, prisma(), priceBook(prisma()), { now });

    /** Runs `runs` random queries; each roll-up answer must equal the live one. Returns how many roll-ups answered. */
    async function compare(seed: number, runs: number): Promise<{ rolled: number; reasons: string[] }> {
      let rolled = 0;
      const reasons: string[] = [];
      await fc.assert(fc.asyncProperty(queries, async (x) => {
        const { viewer, q } = toQuery(x);
        const book = priceBook(prisma());
        const live = await usageReport(ctx().db, viewer, book, q, ROLLED).catch((e: Error) => e);
        const fromRollups = await rolledUsageReport(ctx().db, prisma(), cache, viewer, book, q, ROLLED).catch((e: Error) => e);
        if (live instanceof Error) {
          expect((fromRollups as Error).message).toBe(live.message);
          return;
        }
        if (fromRollups instanceof Error) throw fromRollups;
        const { live: why, ...report } = fromRollups;
        if (why === null) rolled++;
        else reasons.push(why);
        expect(report).toEqual(live);
      }), { seed, numRuns: runs });
      return { rolled, reasons };
    }

    it('answers exactly as the live computation over random filters, zones, buckets, dimensions and viewers', async () => {
      const first = await refresh();
      expect(first.rolled).toBeGreaterThan(100);
      expect(first.open).toBe(1);
      const { rolled, reasons } = await compare(1, 100);
      // Most answers come from the roll-ups; the rest fell back for a stated reason (Asia/Kolkata, ranges without a whole hour).
      expect(rolled).toBeGreaterThan(50);
      expect(new Set(reasons)).toContain('zone');
    }, SLOW);

    it('answers live when the split of costs by price source is asked for, and that split adds up to the total', async () => {
      await refresh();
      const root = viewerOf(users.root, true);
      const q: UsageQuery = { filter: {}, groupBy: ['MODEL'], timeZone: 'UTC' };
      const report = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), q, ALL_PARTS);
      expect(report.live).toBe('sources');
      const micros = (usd: string) => BigInt(usd.replace('.', ''));
      for (const f of [report.totals!, ...report.groups.map((g) => g.figures)]) {
        expect(f.cost.sources.reduce((sum, x) => sum + micros(x.amount), 0n)).toBe(micros(f.cost.total));
      }
      expect(report.totals!.cost.sources.length).toBeGreaterThan(0);
    }, SLOW);

    it('stays exact when a request in flight at the first refresh ends later, and after the refresh that closes its hour', async () => {
      const closed = async () => (await prisma().usageRollupPeriod.findUnique({ where: { period: new Date('2026-03-09T05:00:00Z') } }))?.state;
      expect(await closed()).toBe('open');
      await ctx().db.query(named('test.end')`UPDATE aibridge_interceptions SET ended_at = '2026-03-09T05:12:00.5Z' WHERE id = ${inFlightId}`);
      await addTokenUsage(ctx().db, { interceptionId: inFlightId, createdAt: '2026-03-09T05:11:00Z', input: 2000, output: 20, cacheRead: 5000 });
      await compare(2, 25);
      await refresh();
      expect(await closed()).toBe('closed');
      await compare(3, 25);
    }, SLOW);

    it('re-rolls a recent closed hour that changed, and answers live for a model whose price changed until it is re-priced', async () => {
      // A row written late into a closed hour inside the verify window.
      await addInterception(ctx().db, { initiatorId: users.bob.id, provider: 'openai', model: 'gpt-4.1', startedAt: '2026-03-10T09:20:00Z', endedAt: '2026-03-10T09:21:00Z' });
      expect((await refresh()).rolled).toBe(1);
      await compare(4, 25);

      await setPrice(prisma(), { provider: 'openai', model: 'gpt-4.1', effectiveFrom: new Date('2026-03-08T13:30:00Z'), input: 1_100_000n, output: 3_300_000n, cacheRead: 275_000n, cacheWrite: 1_375_000n }, null);
      const all = { filter: {}, groupBy: [], timeZone: 'UTC' } satisfies UsageQuery;
      const root = viewerOf(users.root, true);
      const before = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), all, ROLLED);
      expect(before.live).toBe('prices');
      expect(before.totals).toEqual((await usageReport(ctx().db, root, priceBook(prisma()), all, ROLLED)).totals);
      expect((await refresh()).repriced).toBe(1);
      const after = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), all, ROLLED);
      expect(after.live).toBeNull();
      expect(after.totals).toEqual(before.totals);
      await compare(5, 25);
    }, SLOW);

    it('keeps the history of hours whose rows Coder deleted, and flags those figures as purged', async () => {
      const root = viewerOf(users.root, true);
      const daily = { filter: {}, groupBy: [], bucket: 'DAY', timeZone: 'UTC' } satisfies UsageQuery;
      const kept = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), daily, ROLLED);
      expect(kept.live).toBeNull();
      expect(kept.totals!.purged).toBe(false);
      // Coder's retention: everything started before Mar 8 goes, children first.
      await ctx().db.query(named('test.purgeTokens')`DELETE FROM aibridge_token_usages WHERE interception_id IN (SELECT id FROM aibridge_interceptions WHERE started_at < '2026-03-08T00:00:00Z')`);
      await ctx().db.query(named('test.purgeTools')`DELETE FROM aibridge_tool_usages WHERE interception_id IN (SELECT id FROM aibridge_interceptions WHERE started_at < '2026-03-08T00:00:00Z')`);
      await ctx().db.query(named('test.purge')`DELETE FROM aibridge_interceptions WHERE started_at < '2026-03-08T00:00:00Z'`);
      const result = await refresh();
      expect(result.purged).toBeGreaterThan(24);
      expect(result.rolled).toBe(0);

      const after = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), daily, ROLLED);
      expect(after.live).toBeNull();
      expect(withoutPurged(after)).toEqual(withoutPurged(kept));
      expect(after.totals!.purged).toBe(true);
      expect(after.groups.map((g) => [g.bucketStart, g.figures.purged])).toEqual(
        kept.groups.map((g) => [g.bucketStart, g.bucketStart! < '2026-03-08' && g.figures.requests > 0]));
      // The live computation no longer sees them; from Mar 8 on both agree exactly.
      const live = await usageReport(ctx().db, root, priceBook(prisma()), daily);
      expect(live.totals!.requests).toBeLessThan(after.totals!.requests);
      const since = { ...daily, filter: { startedAfter: '2026-03-08T00:00:00Z' } };
      const rolledSince = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), since, ROLLED);
      expect(rolledSince.live).toBeNull();
      const { live: _live, ...sinceReport } = rolledSince;
      expect(sinceReport).toEqual(await usageReport(ctx().db, root, priceBook(prisma()), since, ROLLED));
    }, SLOW);

    it('rolls again the hours an interrupted refresh left without a record', async () => {
      const root = viewerOf(users.root, true);
      const daily = { filter: { startedAfter: '2026-03-08T00:00:00Z' }, groupBy: ['MODEL'], bucket: 'DAY', timeZone: 'Europe/Berlin' } satisfies UsageQuery;
      const before = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), daily, ROLLED);
      const day = { gte: new Date('2026-03-09T00:00:00Z'), lt: new Date('2026-03-10T00:00:00Z') };
      await prisma().usageRollup.deleteMany({ where: { period: day } });
      const { count } = await prisma().usageRollupPeriod.deleteMany({ where: { period: day } });
      expect(count).toBe(24);
      expect((await refresh()).rolled).toBe(24);
      const after = await rolledUsageReport(ctx().db, prisma(), cache, root, priceBook(prisma()), daily, ROLLED);
      expect(after.live).toBeNull();
      expect(after).toEqual(before);
    }, SLOW);
  },
  async (t) => writeData(t.db),
);
