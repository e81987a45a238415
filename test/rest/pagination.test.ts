import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addPrompt, addTokenUsage, addToolUsage, addUser, countStatements } from '../support/fixtures.ts';
import { call } from '../support/http.ts';

/**
 * Walking every list to its end returns each visible row exactly once, in order, even with
 * timestamps that tie exactly or differ by one microsecond; members see only their own rows on
 * every endpoint; and the number of SQL statements does not depend on the page size.
 */

interface Row { id: string; micros: number; session: string; initiator: string; root: string | null }

let owner: { id: string; token: string };
let member: { id: string; token: string };
let other: { id: string; token: string };
const rows: Row[] = [];
const THREAD_SESSION = 'many-threads';
const threadRoots: Row[] = [];

const uuid = (prefix: string, n: number) => `${prefix}${String(n).padStart(6, "0")}-0000-4000-8000-000000000000`;
/** 2026-05-01T00:00:00Z plus `micros` microseconds, as RFC 3339 with all six digits. */
const at = (micros: number) => {
  const base = Date.UTC(2026, 4, 1);
  const ms = Math.floor(micros / 1000);
  const iso = new Date(base + ms).toISOString().slice(0, 19);
  return `${iso}.${String((micros % 1_000_000) + 1_000_000).slice(1)}Z`;
};

/** Started-at offsets (µs): ten identical instants, then runs one microsecond apart, then seconds. */
function offsetFor(i: number): number {
  if (i < 10) return 0;
  if (i < 20) return i - 9;
  return (i - 19) * 1_000_000;
}

async function seed(db: Parameters<typeof addInterception>[0]) {
  rows.length = 0;
  threadRoots.length = 0;
  owner = await addUser(db, { username: 'root', role: 'owner' });
  member = await addUser(db, { username: 'member', role: 'member' });
  other = await addUser(db, { username: 'other', role: 'member' });
  for (const [user, prefix] of [[member, 'aa'], [other, 'bb']] as const) {
    for (let i = 0; i < 30; i++) {
      const id = uuid(prefix, i);
      const micros = offsetFor(i);
      // sessions of 1-3 interceptions; some share last activity exactly, some by a microsecond
      const session = `${prefix}-s${i % 12}`;
      await addInterception(db, {
        id, initiatorId: user.id, startedAt: at(micros), endedAt: at(micros + 5), clientSessionId: session,
        model: `${prefix}-model-${i % 3}`, client: prefix === 'aa' ? 'aa-client' : `bb-client-${i % 8}`,
      });
      if (i % 4 === 0) await addPrompt(db, { interceptionId: id, prompt: `p${i}`, createdAt: at(micros + (i % 8 === 0 ? 0 : 1)) });
      await addTokenUsage(db, { interceptionId: id, input: i, createdAt: at(micros + 1) });
      rows.push({ id, micros, session, initiator: user.id, root: null });
    }
  }
  // One session with many threads (roots tie or sit 1 µs apart) and a child per root.
  for (let i = 0; i < 23; i++) {
    const id = uuid('cc', i);
    const micros = 50_000_000 + offsetFor(i);
    await addInterception(db, { id, initiatorId: member.id, startedAt: at(micros), endedAt: at(micros + 9), clientSessionId: THREAD_SESSION });
    const child = uuid('cd', i);
    await addInterception(db, {
      id: child, initiatorId: member.id, startedAt: at(micros + 2), endedAt: at(micros + 3), clientSessionId: THREAD_SESSION, threadRootId: id, threadParentId: id,
    });
    await addToolUsage(db, { interceptionId: child, tool: 'bash', createdAt: at(micros + 2) });
    threadRoots.push({ id, micros, session: THREAD_SESSION, initiator: member.id, root: null });
  }
}

describeEachDb(
  'REST pagination, visibility and statement counts',
  (ctx) => {
    const get = (path: string, token = owner.token) => call(createApp({ db: ctx().db }), path, { token });

    /** Follows a cursor until an empty page; returns every item seen. */
    async function walk<T>(first: string, token: string, items: (body: any) => T[], next: (last: T) => string): Promise<T[]> {
      const seen: T[] = [];
      let path = first;
      for (let guard = 0; guard < 100; guard++) {
        const res = await get(path, token);
        expect(res.status, res.text).toBe(200);
        const page = items(res.body);
        if (page.length === 0) return seen;
        seen.push(...page);
        path = next(page[page.length - 1]);
      }
      throw new Error('pagination did not end');
    }

    const interceptionOrder = (rs: Row[]) =>
      [...rs].sort((a, b) => b.micros - a.micros || (a.id < b.id ? 1 : -1)).map((r) => r.id);

    it('walks /interceptions by after_id: every visible row once, newest first, ties broken by id', async () => {
      for (const [user, visible] of [[owner, rows.concat(threadRoots)], [member, rows.filter((r) => r.initiator === member.id).concat(threadRoots)]] as const) {
        const all = await walk('/api/v2/aibridge/interceptions?limit=7', user.token, (b) => b.results as { id: string }[], (last) => `/api/v2/aibridge/interceptions?limit=7&after_id=${last.id}`);
        const ids = all.map((r) => r.id).filter((id) => !id.startsWith('cd'));
        expect(ids).toEqual(interceptionOrder(visible));
        expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
        const count = (await get('/api/v2/aibridge/interceptions?limit=1', user.token)).body.count;
        expect(count).toBe(all.length);
        // offset paging yields the same sequence
        const byOffset = await get('/api/v2/aibridge/interceptions?limit=9&offset=9', user.token);
        expect(byOffset.body.results.map((r: { id: string }) => r.id)).toEqual(all.slice(9, 18).map((r) => r.id));
      }
    });

    it('walks /sessions by after_session_id: every visible session once, in list order', async () => {
      for (const user of [owner, member]) {
        const whole = (await get('/api/v2/aibridge/sessions?limit=1000', user.token)).body;
        // Small pages take the newest-prompts path (src/domain/sessions.ts, 16 prompts here), the
        // 1000-row page the full grouping: both must give the same sequence.
        for (const limit of [1, 2]) {
          const small = await walk(`/api/v2/aibridge/sessions?limit=${limit}`, user.token, (b) => b.sessions as object[], (last: any) => `/api/v2/aibridge/sessions?limit=${limit}&after_session_id=${encodeURIComponent(last.id)}`);
          expect(small).toEqual(whole.sessions);
        }
        const all = await walk('/api/v2/aibridge/sessions?limit=4', user.token, (b) => b.sessions as { id: string }[], (last) => `/api/v2/aibridge/sessions?limit=4&after_session_id=${encodeURIComponent(last.id)}`);
        expect(all.map((x) => x.id)).toEqual(whole.sessions.map((x: { id: string }) => x.id));
        expect(new Set(all.map((x) => x.id)).size).toBe(all.length);
        expect(all.length).toBe(whole.count);
        const expected = new Set(rows.concat(threadRoots).filter((r) => user === owner || r.initiator === member.id).map((r) => r.session));
        expect(new Set(all.map((x) => x.id))).toEqual(expected);
        // ordered by last_active_at DESC
        const times = all.map((x: any) => x.last_active_at as string);
        for (let i = 1; i < times.length; i++) expect(Date.parse(times[i - 1])).toBeGreaterThanOrEqual(Date.parse(times[i]));
      }
    });

    it('walks a session\'s threads forward (after_id) and backward (before_id)', async () => {
      const ascending = [...threadRoots].sort((a, b) => a.micros - b.micros || (a.id < b.id ? -1 : 1)).map((r) => r.id);
      const base = `/api/v2/aibridge/sessions/${THREAD_SESSION}?limit=5`;
      const forward = await walk(base, member.token, (b) => b.threads as { id: string }[], (last) => `${base}&after_id=${last.id}`);
      expect(forward.map((t) => t.id)).toEqual(ascending);
      // Backward from the end: each page is the 5 threads just before the cursor, ascending.
      const pages: string[][] = [];
      let cursor = ascending[ascending.length - 1];
      for (;;) {
        const res = await get(`${base}&before_id=${cursor}`, member.token);
        const ids = res.body.threads.map((t: { id: string }) => t.id);
        if (ids.length === 0) break;
        pages.push(ids);
        cursor = ids[0];
      }
      expect(pages[0]).toEqual(ascending.slice(-6, -1));
      expect(pages.reverse().flat()).toEqual(ascending.slice(0, -1));
      // every thread carries its own usage and its child's agentic action
      for (const t of forward as any[]) expect(t.agentic_actions).toHaveLength(1);
    });

    it('never shows a member another user\'s rows on any endpoint', async () => {
      const otherIds = new Set(rows.filter((r) => r.initiator === other.id).map((r) => r.id));
      const list = (await get('/api/v2/aibridge/interceptions?limit=1000', member.token)).body.results;
      expect(list.some((r: { id: string }) => otherIds.has(r.id))).toBe(false);
      const byName = await get('/api/v2/aibridge/interceptions?q=initiator:other', member.token);
      expect(byName.status).toBe(400);
      expect(byName.body.validations[0].detail).toMatch(/user "other" either does not exist, or you are unauthorized to view them/);
      expect((await get(`/api/v2/aibridge/interceptions?q=initiator:${other.id}`, member.token)).body).toEqual({ count: 0, results: [] });
      const sessions = (await get('/api/v2/aibridge/sessions?limit=1000', member.token)).body.sessions;
      expect(sessions.some((x: { id: string }) => x.id.startsWith('bb-'))).toBe(false);
      expect((await get('/api/v2/aibridge/sessions?q=session_id:bb-s1', member.token)).body).toEqual({ count: 0, sessions: [] });
      expect((await get('/api/v2/aibridge/sessions/bb-s1', member.token)).status).toBe(404);
      expect((await get(`/api/v2/aibridge/sessions/${uuid('bb', 1)}`, member.token)).status).toBe(404);
      expect((await get(`/api/v2/aibridge/interceptions?after_id=${uuid('bb', 1)}`, member.token)).status).toBe(400);
      expect((await get('/api/v2/aibridge/sessions?after_session_id=bb-s1', member.token)).status).toBe(400);
      expect((await get(`/api/v2/aibridge/sessions/aa-s1?after_id=${uuid('bb', 1)}`, member.token)).status).toBe(400);
      expect((await get('/api/v2/aibridge/models', member.token)).body).toEqual(['aa-model-0', 'aa-model-1', 'aa-model-2', 'claude-sonnet-4-5']);
      expect((await get('/api/v2/aibridge/clients', member.token)).body).toEqual(['Unknown', 'aa-client']);
      // and the owner does see them
      expect((await get('/api/v2/aibridge/sessions/bb-s1')).status).toBe(200);
    });

    it('sends the same number of SQL statements for limit=5 and limit=500', async () => {
      const db = ctx().db;
      const firstSession = (await get('/api/v2/aibridge/sessions?limit=1')).body.sessions[0].id;
      const paths = [
        '/api/v2/aibridge/interceptions?limit=%d',
        '/api/v2/aibridge/interceptions?limit=%d&q=initiator:member',
        `/api/v2/aibridge/interceptions?limit=%d&after_id=${uuid('aa', 29)}`,
        '/api/v2/aibridge/sessions?limit=%d',
        `/api/v2/aibridge/sessions?limit=%d&after_session_id=${firstSession}`,
        `/api/v2/aibridge/sessions/${THREAD_SESSION}?limit=%d`,
        '/api/v2/aibridge/models?limit=%d',
        '/api/v2/aibridge/clients?limit=%d',
      ];
      for (const template of paths) {
        const counts: number[] = [];
        const sizes: number[] = [];
        for (const limit of [5, 500]) {
          // session detail allows at most 200 threads per page
          const path = template.replace('%d', String(template.includes('/sessions/') ? Math.min(limit, 200) : limit));
          const { result, statements } = await countStatements(db, () => get(path));
          expect(result.status, path).toBe(200);
          counts.push(statements.length);
          sizes.push(result.text.length);
        }
        expect(counts[0], template).toBe(counts[1]);
        // the larger page really holds more rows, so the comparison means something
        expect(sizes[1], template).toBeGreaterThan(sizes[0]);
      }
    });
  },
  ({ db }) => seed(db),
);
