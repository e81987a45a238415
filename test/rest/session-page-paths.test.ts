import { expect, it } from 'vitest';
import { authenticate, type Viewer } from '../../src/auth/viewer.ts';
import type { InterceptionFilter } from '../../src/domain/interception-filter.ts';
import { DEFAULT_SESSION_PAGE_WINDOWS, type SessionPageWindow } from '../../src/domain/session-page.ts';
import { listSessions, type SessionCursor, type SessionListOptions, type SessionRow } from '../../src/domain/sessions.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addPrompt, addTokenUsage, addUser } from '../support/fixtures.ts';

/**
 * The forward sessions page has three ways to find its rows (src/domain/sessions.ts): a small
 * window of newest prompts, a larger one, and grouping every matching row. Whichever is taken,
 * the page must be exactly the one full grouping gives. This data makes the windows work hard:
 * sessions overlap in time (so a cursor falls inside sessions already listed), a quarter of them
 * have no prompt at all (they interleave by start time), last activities tie exactly or differ
 * by one microsecond, one session id belongs to two initiators, in-flight rows carry the newest
 * prompts (which count nowhere), and a model filter leaves some sessions without their prompts.
 */

/** Which ways the pages read through `options(windows)` were found. */
const paths = new Set<string>();
const options = (windows: readonly SessionPageWindow[]): SessionListOptions => ({ windows, onPath: (path) => paths.add(path) });

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2026-05-01T00:00:00Z plus whole seconds and microseconds, RFC 3339 with six digits. */
function at(seconds: number, micros = 0): string {
  const iso = new Date(Date.UTC(2026, 4, 1) + seconds * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(micros + 1_000_000).slice(1)}Z`;
}

let owner: { id: string; token: string };
let alice: { id: string; token: string };

async function seed(db: Parameters<typeof addInterception>[0]) {
  const rnd = random(7);
  owner = await addUser(db, { username: 'owner', role: 'owner' });
  alice = await addUser(db, { username: 'alice', role: 'member' });
  const bob = await addUser(db, { username: 'bob', role: 'member' });
  for (let s = 0; s < 48; s++) {
    const user = s % 3 === 0 || s === 47 ? bob : alice;
    // Session 5's id is also used by bob: two groups with one session id.
    const sessionId = s === 47 ? 'sess-05' : `sess-${String(s).padStart(2, '0')}`;
    const withPrompts = s % 4 !== 1;
    const start = s * 37;
    const members = 1 + Math.floor(rnd() * 7);
    for (let j = 0; j < members; j++) {
      const seconds = start + j * 53 + Math.floor(rnd() * 20);
      const micros = rnd() < 0.3 ? 0 : rnd() < 0.5 ? 1 : Math.floor(rnd() * 1000);
      const inFlight = j === members - 1 && rnd() < 0.15;
      const id = await addInterception(db, {
        initiatorId: user.id, clientSessionId: sessionId, startedAt: at(seconds, micros),
        endedAt: inFlight ? null : at(seconds + 2, micros), model: rnd() < 0.5 ? 'm1' : 'm2',
      });
      await addTokenUsage(db, { interceptionId: id, input: j + 1, createdAt: at(seconds + 1) });
      if (inFlight) {
        // newer than any completed activity; must not move the session up
        await addPrompt(db, { interceptionId: id, prompt: `late ${s}`, createdAt: at(10_000 + s) });
      } else if (withPrompts && rnd() < 0.7) {
        // whole seconds only on some rows: exact ties with other sessions' prompts and starts
        await addPrompt(db, { interceptionId: id, prompt: `p ${s}.${j}`, createdAt: at(seconds + 1, rnd() < 0.4 ? 0 : micros) });
      }
    }
  }
}

describeEachDb(
  'sessions page: every way of finding it gives the full grouping\'s answer',
  (ctx) => {
    const viewerFor = (who: 'owner' | 'alice') => authenticate(ctx().db, (who === 'owner' ? owner : alice).token);

    async function reference(viewer: Viewer, filter: InterceptionFilter): Promise<SessionRow[]> {
      paths.clear();
      const rows = (await listSessions(ctx().db, viewer, filter, { limit: 1000 }, options([]))).rows;
      expect([...paths]).toEqual(['full']);
      return rows;
    }

    async function walk(viewer: Viewer, filter: InterceptionFilter, limit: number, windows: readonly SessionPageWindow[]): Promise<SessionRow[]> {
      const seen: SessionRow[] = [];
      let after: SessionCursor | undefined;
      for (let guard = 0; guard < 200; guard++) {
        const page = await listSessions(ctx().db, viewer, filter, { limit, after }, options(windows));
        seen.push(...page.rows);
        if (!page.hasMore) return seen;
        const last = page.rows[page.rows.length - 1];
        after = { lastActiveAt: last.lastActiveAt, sessionId: last.sessionId, initiatorId: last.initiatorId };
      }
      throw new Error('pagination did not end');
    }

    const cases: [string, 'owner' | 'alice', InterceptionFilter][] = [
      ['owner, no filter', 'owner', {}],
      ['member, no filter', 'alice', {}],
      ['owner, model filter (some sessions lose their prompts)', 'owner', { model: 'm1' }],
      ['owner, started_after', 'owner', { startedAfter: at(600) }],
      ['member, model and started_before', 'alice', { model: 'm2', startedBefore: at(1500) }],
    ];
    const windowSets: [string, readonly SessionPageWindow[]][] = [
      // At this size the defaults ask for more sessions than exist: full grouping, still compared.
      ['default windows', DEFAULT_SESSION_PAGE_WINDOWS],
      // Scaled to this data: the first window usually holds the page.
      ['small windows', [{ prompts: (n) => 4 * n + 4, sessions: (n) => n + 3 }, { prompts: (n) => 16 * n, sessions: (n) => 2 * n + 8 }]],
      // The first window can never hold the page; the second sometimes does.
      ['tiny first window', [{ prompts: () => 2, sessions: () => 1 }, { prompts: (n) => 3 * n, sessions: (n) => n + 1 }]],
      // Neither can: full grouping every time.
      ['windows too small', [{ prompts: () => 1, sessions: () => 1 }]],
    ];

    it('walks by cursor and by offset to the same sequence as the full grouping, on every path', async () => {
      const taken = new Set<string>();
      for (const [label, who, filter] of cases) {
        const viewer = await viewerFor(who);
        const expected = await reference(viewer, filter);
        expect(expected.length, label).toBeGreaterThan(5);
        for (const [windowsLabel, windows] of windowSets) {
          for (const limit of [1, 2, 5, 13]) {
            paths.clear();
            const got = await walk(viewer, filter, limit, windows);
            expect(got, `${label}, ${windowsLabel}, limit ${limit}`).toEqual(expected);
            for (const p of paths) taken.add(`${windowsLabel}: ${p}`);
          }
          for (const offset of [0, 3, 7, expected.length - 2]) {
            const page = await listSessions(ctx().db, viewer, filter, { limit: 4, offset }, options(windows));
            expect(page.rows, `${label}, ${windowsLabel}, offset ${offset}`).toEqual(expected.slice(offset, offset + 4));
            expect(page.hasMore).toBe(offset + 4 < expected.length);
          }
        }
      }
      // Each way was exercised (otherwise the comparisons above prove less than they claim).
      expect(taken).toContain('small windows: window 1');
      expect(taken).toContain('tiny first window: window 2');
      expect(taken).toContain('tiny first window: full');
      expect(taken).toContain('windows too small: full');
    });

    it('never counts in-flight prompts and keeps tied last activities in (session_id, initiator) order', async () => {
      const rows = await reference(await viewerFor('owner'), {});
      expect(rows.some((r) => r.lastActiveAt.startsWith('2026-05-01 02:4'))).toBe(false); // the late prompts at 10,000 s
      const shared = rows.filter((r) => r.sessionId === 'sess-05');
      expect(shared).toHaveLength(2);
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [rows[i - 1], rows[i]];
        const ta = Date.parse(a.lastActiveAt.replace(' ', 'T').replace(/\+00$/, 'Z'));
        const tb = Date.parse(b.lastActiveAt.replace(' ', 'T').replace(/\+00$/, 'Z'));
        expect(ta).toBeGreaterThanOrEqual(tb);
      }
    });
  },
  (t) => seed(t.db),
);
