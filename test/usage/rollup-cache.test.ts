import { expect, it } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.ts';
import type { Queryable } from '../../src/db/db.ts';
import { named } from '../../src/db/sql.ts';
import type { UsageQuery } from '../../src/domain/usage/query.ts';
import { ALL_PARTS, type UsageParts, usageReport } from '../../src/domain/usage/report.ts';
import { priceBook } from '../../src/prices/book.ts';
import { setPrice } from '../../src/prices/overrides.ts';
import { prismaOver } from '../../src/prices/prisma.ts';
import { aggregate } from '../../src/rollups/aggregate.ts';
import { RollupCache } from '../../src/rollups/cache.ts';
import type { GrainRow } from '../../src/rollups/grain.ts';
import { percentilesMs } from '../../src/rollups/percentile.ts';
import { rolledUsageReport, warmRollups } from '../../src/rollups/read.ts';
import { refreshRollups } from '../../src/rollups/refresh.ts';
import { Dictionary } from '../../src/rollups/segment.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addTokenUsage, addUser } from '../support/fixtures.ts';

/**
 * The roll-up reader's in-memory copy of the closed hours (src/rollups/cache.ts) follows the
 * store: an hour the refresher rolls again or re-prices is read again, an hour gone from the
 * store is gone from the answers, and a member's answer holds their own rows only although the
 * copy holds everyone's. Each answer is checked against the live computation or a fresh copy.
 */
const NOW = new Date('2026-03-10T12:30:00Z');
const ROLLED: UsageParts = { ...ALL_PARTS, sources: false };
const viewerOf = (u: { id: string }, seesAll: boolean): Viewer => ({ id: u.id, username: '', name: '', avatarUrl: '', roles: [], seesAll });

let users: Record<'root' | 'alice' | 'bob', { id: string }>;

async function writeData(db: Queryable) {
  users = {
    root: await addUser(db, { username: 'root', role: 'owner' }),
    alice: await addUser(db, { username: 'alice' }),
    bob: await addUser(db, { username: 'bob' }),
  };
  const who = [users.alice, users.bob, users.root];
  // Two days of hours, a few requests each, a request per user and hour.
  for (let h = 0; h < 36; h++) {
    for (let n = 0; n < 3; n++) {
      const start = Date.parse('2026-03-09T00:00:00Z') + h * 3_600_000 + n * 600_000 + h * 1000;
      const id = await addInterception(db, {
        initiatorId: who[n].id, model: n === 2 ? 'claude-haiku-4-5' : 'claude-sonnet-4-5', clientSessionId: `s${h % 5}`,
        startedAt: new Date(start).toISOString(), endedAt: new Date(start + 1000 + ((h * 7 + n * 13) % 50) * 997).toISOString(),
      });
      await addTokenUsage(db, { interceptionId: id, createdAt: new Date(start).toISOString(), input: 1000 + h, output: 100 + n, cacheRead: 50 * n });
    }
  }
}

describeEachDb(
  'usage roll-ups in memory',
  (ctx) => {
    const prisma = () => prismaOver(ctx().db);
    const refresh = () => refreshRollups(ctx().db, prisma(), priceBook(prisma()), { now: NOW });
    const cache = new RollupCache();
    const byDay: UsageQuery = { filter: {}, groupBy: ['MODEL'], bucket: 'DAY', timeZone: 'UTC' };
    const rolled = async (q: UsageQuery, viewer = viewerOf(users.root, true), c = cache) => {
      const { live, ...report } = await rolledUsageReport(ctx().db, prisma(), c, viewer, priceBook(prisma()), q, ROLLED);
      expect(live).toBeNull();
      return report;
    };
    const live = (q: UsageQuery, viewer = viewerOf(users.root, true)) => usageReport(ctx().db, viewer, priceBook(prisma()), q, ROLLED);

    it('reads again a closed hour the refresher rolled again after a late row', async () => {
      await refresh();
      const before = await rolled(byDay);
      expect(before).toEqual(await live(byDay));
      expect(cache.hourCount).toBeGreaterThan(30);
      // A row written late into a closed hour inside the verify window: the refresher rolls it again.
      await addInterception(ctx().db, { initiatorId: users.bob.id, startedAt: '2026-03-10T09:20:00Z', endedAt: '2026-03-10T09:21:00Z' });
      expect((await refresh()).rolled).toBe(1);
      const after = await rolled(byDay);
      expect(after).toEqual(await live(byDay));
      expect(after.totals!.requests).toBe(before.totals!.requests + 1);
    });

    it('warms a fresh copy with every closed hour, so the first answer loads none and equals the live one', async () => {
      await refresh();
      const warm = new RollupCache();
      const closed = await prisma().usageRollupPeriod.count({ where: { state: 'closed' } });
      expect(closed).toBeGreaterThan(30);
      expect(await warmRollups(prisma(), warm)).toBe(closed);
      // An answer reads into the copy only the closed hours it lacks: none.
      expect(await rolled(byDay, undefined, warm)).toEqual(await live(byDay));
      expect(warm.hourCount).toBe(closed);
      expect(await warmRollups(prisma(), warm)).toBe(closed);
    });

    it('reads again the hours the refresher re-priced (their rolled_at unchanged)', async () => {
      const before = await rolled(byDay);
      await setPrice(prisma(), {
        provider: 'anthropic', model: 'claude-sonnet-4-5', effectiveFrom: new Date('2026-03-01T00:00:00Z'),
        input: 7_000_000n, output: 9_000_000n, cacheRead: 1_000_000n, cacheWrite: 2_000_000n,
      }, null);
      const periods = await prisma().usageRollupPeriod.findMany({ orderBy: { period: 'asc' } });
      expect((await refresh()).repriced).toBe(1);
      expect((await prisma().usageRollupPeriod.findMany({ orderBy: { period: 'asc' } })).map((p) => p.rolledAt)).toEqual(periods.map((p) => p.rolledAt));
      const after = await rolled(byDay);
      expect(after).toEqual(await live(byDay));
      expect(after.totals!.cost.total).not.toBe(before.totals!.cost.total);
    });

    it('drops the hours gone from the store', async () => {
      const before = await rolled(byDay);
      // Hours inside the rolled window (before its first hour, an answer computes live).
      const day = { gte: new Date('2026-03-09T06:00:00Z'), lt: new Date('2026-03-09T12:00:00Z') };
      await prisma().usageRollup.deleteMany({ where: { period: day } });
      expect((await prisma().usageRollupPeriod.deleteMany({ where: { period: day } })).count).toBe(6);
      const after = await rolled(byDay);
      // Exactly what a copy loaded from scratch answers.
      expect(after).toEqual(await rolled(byDay, viewerOf(users.root, true), new RollupCache()));
      expect(after.totals!.requests).toBe(before.totals!.requests - 18);
      await refresh();
      expect(await rolled(byDay)).toEqual(await live(byDay));
    });

    it('keeps purged hours and flags them', async () => {
      const before = await rolled(byDay);
      await ctx().db.query(named('test.purgeTokens')`DELETE FROM aibridge_token_usages WHERE interception_id IN (SELECT id FROM aibridge_interceptions WHERE started_at < '2026-03-10T00:00:00Z')`);
      await ctx().db.query(named('test.purge')`DELETE FROM aibridge_interceptions WHERE started_at < '2026-03-10T00:00:00Z'`);
      expect((await refresh()).purged).toBe(24);
      const after = await rolled(byDay);
      expect(after.totals!.requests).toBe(before.totals!.requests);
      expect(after.totals!.purged).toBe(true);
      expect(after.groups.filter((g) => g.figures.purged).map((g) => g.bucketStart)).toEqual(['2026-03-09 00:00:00+00', '2026-03-09 00:00:00+00']);
    });

    it("gives a member their own figures only, although the copy holds everyone's", async () => {
      // The owner's report filled the copy with every initiator's rows.
      await rolled({ filter: {}, groupBy: ['INITIATOR'], timeZone: 'UTC' });
      const since = '2026-03-10T00:00:00Z';
      for (const u of ['alice', 'bob'] as const) {
        const me = viewerOf(users[u], false);
        const q: UsageQuery = { filter: { startedAfter: since }, groupBy: ['INITIATOR'], bucket: 'HOUR', timeZone: 'UTC' };
        const mine = await rolled(q, me);
        expect(mine).toEqual(await live(q, me));
        expect(new Set(mine.groups.map((g) => g.initiatorId))).toEqual(new Set([users[u].id]));
        // Asking for someone else's rows gives nothing.
        const other = u === 'alice' ? users.bob.id : users.alice.id;
        const theirs = await rolled({ filter: { startedAfter: since, initiatorId: other }, groupBy: [], timeZone: 'UTC' }, me);
        expect(theirs.totals!.requests).toBe(0);
        expect(theirs).toEqual(await live({ filter: { startedAfter: since, initiatorId: other }, groupBy: [], timeZone: 'UTC' }, me));
      }
    });

    it("computes percentiles as PostgreSQL's percentile_cont over µs / 1000", async () => {
      let seed = 11;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
      for (const n of [1, 2, 3, 10, 101, 1000]) {
        // Few distinct values among many: ties, as real durations have.
        const us = Array.from({ length: n }, () => (n > 10 ? next() % 97 : next()) * 1000 + (next() % 1000));
        const [pg] = await ctx().db.query<{ p: number[] }>(named('test.percentiles')`
          SELECT ARRAY[percentile_cont(0.5::float8) WITHIN GROUP (ORDER BY d::float8 / 1000), percentile_cont(0.95::float8) WITHIN GROUP (ORDER BY d::float8 / 1000),
                       percentile_cont(0.99::float8) WITHIN GROUP (ORDER BY d::float8 / 1000)]::float8[] AS p
            FROM unnest(${us.map(String)}::int8[]) d`);
        expect(percentilesMs(Float64Array.from(us), [0.5, 0.95, 0.99])).toEqual(pg.p.map(Number));
      }
    });
  },
  async (t) => writeData(t.db),
);

it('sums past 2^53 exactly (bigints where float64 would round)', () => {
  const big = 2n ** 53n;
  const row = (input: bigint, session: string): GrainRow => ({
    period: '2026-03-09 00:00:00+00', bucket: null, initiatorId: 'u', sessionId: session, model: 'm', provider: 'p', providerName: '', client: 'Unknown',
    credentialKind: 'centralized', requests: 1, inputTokens: String(input), outputTokens: '1', cacheReadTokens: '0', cacheWriteTokens: '0',
    costTotal: String(big - 1n), costInput: '0', costOutput: '0', costCacheRead: '0', costCacheWrite: '0', costSaved: '0', unpricedRequests: 0,
    unpricedTokens: '0', recordedRows: 0, bookRows: 1, toolCalls: 0, injectedToolCalls: 0, toolErrors: 0, durationsUs: [],
  });
  const inputs = [big - 1n, 3n, big + 1n, 1n];
  const rows = aggregate({
    q: { filter: {}, groupBy: [], timeZone: 'UTC' }, want: { ...ROLLED, groups: false }, viewer: viewerOf({ id: 'u' }, true),
    dictionaries: Array.from({ length: 8 }, () => new Dictionary()), hours: [], live: inputs.map((i, n) => row(i, `s${n % 2}`)),
    bucketEnds: new Map(), series: null, seriesEnds: null,
  });
  expect(rows).toHaveLength(1);
  expect(rows[0].input).toBe(String(inputs.reduce((a, b) => a + b, 0n)));
  // Every value a safe integer, their sum not.
  expect(rows[0].costTotal).toBe(String(4n * (big - 1n)));
  expect(rows[0].output).toBe('4');
  expect(rows[0].sessions).toBe(2);
  expect(rows[0].p50).toBeNull();
});
