import { named } from '../../src/db/sql.ts';
import { expect, it } from 'vitest';
import { encodeBase64 } from '@pothos/core';
import { createApp, type App } from '../../src/app.ts';
import { SIGNED_OUT_MESSAGE } from '../../src/auth/viewer.ts';
import type { Queryable } from '../../src/db/db.ts';
import { createToken } from '../../src/db/users.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addPrompt, addThought, addTokenUsage, addToolUsage, addUser } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';

/**
 * The role matrix: every principal × every REST endpoint and GraphQL root field (and the nested
 * connections and links), as a table. Three users own data (A and B are members, S is
 * suspended); owner and auditor own none. Every row of a user carries that user's marker
 * (`mkA`…) in its model, client, prompt, tool, thought and session id, so besides each probe's
 * own expectations (counts, sums, lists, null/404), every response is scanned: no marker, row
 * UUID or user UUID of a user the caller may not see may appear anywhere in it.
 */

type Owner = 'A' | 'B' | 'S';
const OWNERS: Owner[] = ['A', 'B', 'S'];

interface Row {
  id: string;
  owner: Owner;
  sessionId: string;
  completed: boolean;
  input: number;
  root: boolean;
}

interface World {
  users: Record<Owner | 'owner' | 'auditor' | 'expired', { id: string; token: string; username: string }>;
  rows: Row[];
}

let world: World;

const marker = (o: Owner) => `mk${o}`;
/** Token inputs are distinct powers of ten per row, so any sum names exactly the rows it covers. */
let nextInput = 1;

/**
 * Per owner X: session `sess-mkX` with thread X1 → X2 (tool calls, thoughts, prompt) and thread X3;
 * an interception in the session id `shared` (every user has one: same session id, separate
 * sessions); an in-flight interception. B additionally has a row whose thread root and parent
 * are A's root (a link across users that must not let B reach A's row).
 */
async function seedWorld(db: Queryable): Promise<World> {
  const owner = await addUser(db, { username: 'site-owner', role: 'owner' });
  const auditor = await addUser(db, { username: 'site-auditor', role: 'auditor' });
  const A = await addUser(db, { username: 'member-a', role: 'member' });
  const B = await addUser(db, { username: 'member-b', role: 'member' });
  const S = await addUser(db, { username: 'suspended-s', role: 'member' });
  await db.query(named('test')`UPDATE users SET status = 'suspended' WHERE id = ${S.id}`);
  const E = await addUser(db, { username: 'expired-e', role: 'member' });
  const expiredToken = await createToken(db, 'expired-e', 3600);
  await db.query(named('test')`UPDATE api_keys SET expires_at = now() - interval '1 hour' WHERE id = ${expiredToken.split('-')[0]}`);
  const users = { owner, auditor, A, B, S, expired: { ...E, token: expiredToken } };

  const rows: Row[] = [];
  const add = async (o: Owner, n: number, f: { sessionId: string; root?: string; completed?: boolean; client?: boolean }) => {
    const m = marker(o);
    const at = (s: number) => new Date(Date.UTC(2026, 3, 1, 10, OWNERS.indexOf(o) * 10 + n, s)).toISOString();
    const completed = f.completed ?? true;
    const id = await addInterception(db, {
      initiatorId: users[o].id, model: completed ? `model-${m}` : `model-${m}-inflight`, client: `client-${m}`, provider: 'anthropic',
      clientSessionId: f.sessionId, threadRootId: f.root ?? null, threadParentId: f.root ?? null,
      startedAt: at(0), endedAt: completed ? at(5) : null, metadata: { marker: m },
    });
    const input = nextInput;
    nextInput *= 10;
    await addTokenUsage(db, { interceptionId: id, input, output: 1, createdAt: at(1) });
    await addPrompt(db, { interceptionId: id, prompt: `prompt-${m}-${n}`, createdAt: at(1) });
    await addToolUsage(db, { interceptionId: id, tool: `tool-${m}`, input: `{"secret":"${m}"}`, createdAt: at(2) });
    await addThought(db, { interceptionId: id, content: `thought-${m}`, createdAt: at(2) });
    rows.push({ id, owner: o, sessionId: f.sessionId, completed, input, root: !f.root });
    return id;
  };
  const roots: Partial<Record<Owner, string>> = {};
  for (const o of OWNERS) {
    const s = `sess-${marker(o)}`;
    const r1 = await add(o, 1, { sessionId: s });
    roots[o] = r1;
    await add(o, 2, { sessionId: s, root: r1 });
    await add(o, 3, { sessionId: s });
    await add(o, 4, { sessionId: 'shared' });
    await add(o, 5, { sessionId: s, completed: false });
  }
  await add('B', 6, { sessionId: `sess-${marker('B')}`, root: roots.A });
  return { users, rows };
}

// ---------------------------------------------------------------------------------------------
// Principals

interface Principal {
  name: string;
  token: () => string | undefined;
  /** Owners whose rows the principal may see; null: not authenticated at all. */
  sees: Owner[] | null;
  /** Users the principal may look up as User nodes. */
  userNodes?: () => string[];
}

const allUserIds = () => Object.values(world.users).map((u) => u.id);
const PRINCIPALS: Principal[] = [
  { name: 'owner', token: () => world.users.owner.token, sees: OWNERS, userNodes: allUserIds },
  { name: 'auditor', token: () => world.users.auditor.token, sees: OWNERS, userNodes: allUserIds },
  { name: 'member A', token: () => world.users.A.token, sees: ['A'], userNodes: () => [world.users.A.id] },
  { name: 'member B', token: () => world.users.B.token, sees: ['B'], userNodes: () => [world.users.B.id] },
  { name: 'suspended user', token: () => world.users.S.token, sees: null },
  { name: 'expired key', token: () => world.users.expired.token, sees: null },
  { name: 'malformed token', token: () => 'not-a-token', sees: null },
  { name: 'no token', token: () => undefined, sees: null },
];

// ---------------------------------------------------------------------------------------------
// What a caller may see, computed from the fixture

const rowsOf = (v: Owner[], completedOnly = true) => world.rows.filter((r) => v.includes(r.owner) && (!completedOnly || r.completed));
const sorted = (xs: string[]) => [...xs].sort();
const sum = (rows: Row[]) => String(rows.reduce((a, r) => a + r.input, 0));
/** Sessions as (initiator, session id) of the completed rows. */
function sessionsOf(v: Owner[]) {
  const keys = new Map<string, { owner: Owner; sessionId: string; rows: Row[] }>();
  for (const r of rowsOf(v)) {
    const k = `${r.owner} ${r.sessionId}`;
    if (!keys.has(k)) keys.set(k, { owner: r.owner, sessionId: r.sessionId, rows: [] });
    keys.get(k)!.rows.push(r);
  }
  return [...keys.values()];
}
const ownerOfUser = (id: string) => OWNERS.find((o) => world.users[o].id === id);
const ownerOfRow = (id: string) => world.rows.find((r) => r.id === id)?.owner;

/** Fails when the text names anything of a user outside `v`. */
function expectNoLeak(text: string, v: Owner[]) {
  for (const o of OWNERS.filter((x) => !v.includes(x))) {
    expect(text, `marker of ${o}`).not.toContain(marker(o));
    expect(text, `user id of ${o}`).not.toContain(world.users[o].id);
    for (const r of world.rows.filter((x) => x.owner === o)) expect(text, `row of ${o}`).not.toContain(r.id);
  }
}

const gid = (type: string, id: string) => encodeBase64(`${type}:${id}`);

type Res = Awaited<ReturnType<typeof call>>;
interface Probe {
  name: string;
  /** Sends the requests (one or many) with the principal's token. */
  run: (app: App, token: string | undefined) => Promise<Res[]>;
  /** Checks the responses of an authenticated principal that sees `v`. */
  check: (res: Res[], v: Owner[], p: Principal) => void;
  /** Removes what a response only echoes of the request (the caller's own input is no leak). */
  scrub?: (text: string) => string;
}

const rest = (path: string) => (app: App, token: string | undefined) => call(app, path, { token });
const ql = (query: string, variables?: Record<string, unknown>) => (app: App, token: string | undefined) => gql(app, query, variables, token);
const one = (f: (app: App, token: string | undefined) => Promise<Res>) => async (app: App, token: string | undefined) => [await f(app, token)];
const many = <T,>(items: () => T[], f: (item: T) => (app: App, token: string | undefined) => Promise<Res>) =>
  async (app: App, token: string | undefined) => Promise.all(items().map((x) => f(x)(app, token)));
const ok = (r: Res) => {
  expect(r.status, r.text).toBe(200);
  expect(r.body.errors, r.text).toBeUndefined();
  return r.body;
};

const INTERCEPTION_FIELDS = `uuid initiator { uuid } tokenUsageSummary { inputTokens }
  threadRoot { uuid initiator { uuid } } threadParent { uuid } session { sessionId initiator { uuid } tokenUsageSummary { inputTokens } }
  userPrompts { prompt } toolUsages { tool input } modelThoughts { content }`;
const SESSION_FIELDS = `sessionId initiator { uuid } models threadCount tokenUsageSummary { inputTokens } lastPrompt
  threads(first: 10) { totalCount edges { node { uuid root { uuid } prompt interceptions { uuid initiator { uuid } }
    agenticActions { interception { uuid } toolCalls { tool } thinking { text } } } } }
  interceptions(first: 20) { totalCount edges { node { uuid initiator { uuid } } } }`;
const NODE_FIELDS = `__typename ... on Interception { uuid initiator { uuid } } ... on Session { sessionId initiator { uuid } }
  ... on Thread { uuid root { initiator { uuid } } } ... on User { uuid username interceptions(first: 1000) { totalCount } sessions(first: 1000) { totalCount } }`;

/** Every global id of the world: each interception, thread root, session group and user. */
function globalIds() {
  const ids: { gid: string; visibleTo: (v: Owner[], p: Principal) => boolean }[] = [];
  for (const r of world.rows) {
    ids.push({ gid: gid('Interception', r.id), visibleTo: (v) => v.includes(r.owner) });
    if (r.root) ids.push({ gid: gid('Thread', r.id), visibleTo: (v) => r.completed && v.includes(r.owner) });
  }
  for (const s of sessionsOf(OWNERS)) {
    ids.push({ gid: gid('Session', `${world.users[s.owner].id}:${s.sessionId}`), visibleTo: (v) => v.includes(s.owner) });
    // The same session id under another initiator names nothing.
    const other = OWNERS.find((o) => o !== s.owner && !sessionsOf([o]).some((x) => x.sessionId === s.sessionId));
    if (other) ids.push({ gid: gid('Session', `${world.users[other].id}:${s.sessionId}`), visibleTo: () => false });
  }
  for (const u of Object.values(world.users)) ids.push({ gid: gid('User', u.id), visibleTo: (_v, p) => p.userNodes!().includes(u.id) });
  return ids;
}

/** Session lookups: every session id and every interception UUID, with the owners it may resolve to. */
function sessionLookups() {
  const out: { key: string; owners: Owner[] }[] = [];
  for (const id of new Set(world.rows.map((r) => r.sessionId))) out.push({ key: id, owners: [...new Set(world.rows.filter((r) => r.sessionId === id).map((r) => r.owner))] });
  for (const r of world.rows.filter((x) => x.completed)) out.push({ key: r.id, owners: [r.owner] });
  return out;
}

const PROBES: Probe[] = [
  // ----- REST
  ...['/api/v2/aibridge/interceptions', '/api/experimental/aibridge/interceptions'].map((path): Probe => ({
    name: `REST ${path}`,
    run: one(rest(`${path}?limit=1000`)),
    check: ([r], v) => {
      const body = ok(r);
      expect(body.count).toBe(rowsOf(v).length);
      expect(sorted(body.results.map((x: { id: string }) => x.id))).toEqual(sorted(rowsOf(v).map((x) => x.id)));
      const tokens = body.results.flatMap((x: { token_usages: { input_tokens: number }[] }) => x.token_usages.map((t) => t.input_tokens));
      expect(String(tokens.reduce((a: number, b: number) => a + b, 0))).toBe(sum(rowsOf(v)));
    },
  })),
  {
    name: 'REST /sessions (counts and token sums)',
    run: one(rest('/api/v2/aibridge/sessions?limit=1000')),
    check: ([r], v) => {
      const body = ok(r);
      const expected = sessionsOf(v);
      expect(body.count).toBe(expected.length);
      const got = body.sessions.map((s: { id: string; initiator: { id: string }; token_usage_summary: { input_tokens: number } }) =>
        `${ownerOfUser(s.initiator.id)} ${s.id} ${s.token_usage_summary.input_tokens}`);
      expect(sorted(got)).toEqual(sorted(expected.map((s) => `${s.owner} ${s.sessionId} ${sum(s.rows)}`)));
    },
  },
  {
    name: 'REST export of interceptions (NDJSON, every row of any range)',
    run: one(rest('/api/v2/aibridge/export/interceptions?format=ndjson')),
    check: ([r], v) => {
      expect(r.status, r.text).toBe(200);
      const rows = r.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; token_usages: { input_tokens: number }[] });
      expect(sorted(rows.map((x) => x.id))).toEqual(sorted(rowsOf(v).map((x) => x.id)));
      expect(String(rows.flatMap((x) => x.token_usages.map((t) => t.input_tokens)).reduce((a, b) => a + b, 0))).toBe(sum(rowsOf(v)));
    },
  },
  {
    name: 'REST export of sessions (NDJSON)',
    run: one(rest('/api/v2/ai-gateway/export/sessions?format=ndjson')),
    check: ([r], v) => {
      expect(r.status, r.text).toBe(200);
      const got = r.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; initiator: { id: string }; token_usage_summary: { input_tokens: number } })
        .map((s) => `${ownerOfUser(s.initiator.id)} ${s.id} ${s.token_usage_summary.input_tokens}`);
      expect(sorted(got)).toEqual(sorted(sessionsOf(v).map((s) => `${s.owner} ${s.sessionId} ${sum(s.rows)}`)));
    },
  },
  {
    name: 'REST /sessions/{id} by every session id and every interception UUID',
    run: many(sessionLookups, (l) => rest(`/api/v2/aibridge/sessions/${encodeURIComponent(l.key)}`)),
    check: (res, v) => {
      sessionLookups().forEach((l, n) => {
        const r = res[n];
        const reachable = l.owners.filter((o) => v.includes(o));
        if (reachable.length === 0) {
          expect(r.status, l.key).toBe(404);
          expect(r.body).toEqual({ message: 'Session not found.' });
          return;
        }
        const body = ok(r);
        const o = ownerOfUser(body.initiator.id)!;
        expect(reachable).toContain(o);
        const session = sessionsOf([o]).find((s) => s.sessionId === body.id)!;
        expect(String(body.token_usage_summary.input_tokens)).toBe(sum(session.rows));
      });
    },
  },
  ...(['models', 'clients'] as const).map((kind): Probe => ({
    name: `REST /${kind}`,
    run: one(rest(`/api/v2/aibridge/${kind}`)),
    check: ([r], v) => expect(ok(r)).toEqual(sorted(v.map((o) => `${kind.slice(0, -1)}-${marker(o)}`))),
  })),
  {
    name: 'REST /interceptions?after_id= every interception (cursors of other users are invalid)',
    run: many(() => rowsOf(OWNERS), (row) => rest(`/api/v2/aibridge/interceptions?after_id=${row.id}`)),
    check: (res, v) =>
      rowsOf(OWNERS).forEach((row, n) => {
        if (v.includes(row.owner)) return void ok(res[n]);
        expect(res[n].status).toBe(400);
        expect(res[n].body).toEqual({ message: 'Invalid pagination cursor.' });
      }),
  },
  {
    name: 'REST /sessions?after_session_id= every session id',
    run: many(() => sessionsOf(OWNERS), (s) => rest(`/api/v2/aibridge/sessions?after_session_id=${s.sessionId}`)),
    scrub: (text) => text.replace(/session \\"[^"\\]*\\" not found/, ''),
    check: (res, v) =>
      sessionsOf(OWNERS).forEach((s, n) => {
        const visible = sessionsOf(v).some((x) => x.sessionId === s.sessionId);
        expect(res[n].status, s.sessionId).toBe(visible ? 200 : 400);
        if (!visible) expect(res[n].body.detail).toBe(`after_session_id: session "${s.sessionId}" not found`);
      }),
  },
  {
    name: 'REST /sessions/{own}?after_id= / before_id= other users\' interceptions',
    run: async (app, token) => {
      const out: Res[] = [];
      for (const o of OWNERS) {
        for (const row of rowsOf(OWNERS).filter((r) => r.owner !== o)) {
          for (const param of ['after_id', 'before_id']) out.push(await call(app, `/api/v2/aibridge/sessions/sess-${marker(o)}?${param}=${row.id}`, { token }));
        }
      }
      return out;
    },
    check: (res, v) => {
      let n = 0;
      for (const o of OWNERS) {
        for (const _row of rowsOf(OWNERS).filter((r) => r.owner !== o)) {
          for (let k = 0; k < 2; k++) {
            const r = res[n++];
            // Own session: the foreign cursor is not in it (400); someone else's: no such session (404).
            expect(r.status).toBe(v.includes(o) ? 400 : 404);
          }
        }
      }
    },
  },
  ...(['interceptions', 'sessions'] as const).map((endpoint): Probe => ({
    name: `REST /${endpoint}?q=initiator:<each user>`,
    run: many(() => OWNERS, (o) => rest(`/api/v2/aibridge/${endpoint}?q=initiator:${world.users[o].username}`)),
    check: (res, v) =>
      OWNERS.forEach((o, n) => {
        // Another user's name is as unknown to a member as a name nobody has: no account probing.
        if (!v.includes(o)) {
          expect(res[n].status, res[n].text).toBe(400);
          expect(res[n].body.validations).toEqual([{ field: 'initiator', detail: expect.stringMatching(/either does not exist, or you are unauthorized to view them/) }]);
          return;
        }
        const body = ok(res[n]);
        expect(body.count).toBe(endpoint === 'interceptions' ? rowsOf([o]).length : sessionsOf([o]).length);
      }),
  })),

  // ----- GraphQL root fields
  {
    name: 'GraphQL viewer (with its own connections)',
    run: one(ql(`{ viewer { uuid username interceptions(first: 1000) { totalCount edges { node { ${INTERCEPTION_FIELDS} } } }
      sessions(first: 20) { totalCount edges { node { ${SESSION_FIELDS} } } } } }`)),
    check: ([r], _v, p) => {
      const viewer = ok(r).data.viewer;
      const self = OWNERS.find((o) => p.name === `member ${o}`);
      expect(viewer.interceptions.totalCount).toBe(self ? rowsOf([self]).length : 0);
      expect(viewer.sessions.totalCount).toBe(self ? sessionsOf([self]).length : 0);
    },
  },
  ...[false, true].map((includeInFlight): Probe => ({
    name: `GraphQL interceptions (includeInFlight: ${includeInFlight}) with threadRoot/threadParent/session`,
    run: one(ql(`query($f: InterceptionFilter) { interceptions(first: 1000, filter: $f) { totalCount edges { node { ${INTERCEPTION_FIELDS} } } } }`,
      { f: { includeInFlight } })),
    check: ([r], v) => {
      const c = ok(r).data.interceptions;
      const expected = rowsOf(v, !includeInFlight);
      expect(c.totalCount).toBe(expected.length);
      expect(sorted(c.edges.map((e: { node: { uuid: string } }) => e.node.uuid))).toEqual(sorted(expected.map((x) => x.id)));
      for (const { node } of c.edges) {
        expect(String(node.tokenUsageSummary.inputTokens)).toBe(sum(world.rows.filter((x) => x.id === node.uuid)));
        for (const link of [node.threadRoot, node.threadParent]) if (link) expect(v).toContain(ownerOfRow(link.uuid));
        if (node.session) expect(v).toContain(ownerOfUser(node.session.initiator.uuid));
      }
    },
  })),
  {
    name: 'GraphQL interception(id) for every interception',
    run: many(() => world.rows, (row) => ql('query($id: UUID!) { interception(id: $id) { uuid initiator { uuid } } }', { id: row.id })),
    check: (res, v) => world.rows.forEach((row, n) => expect(ok(res[n]).data.interception?.uuid ?? null).toBe(v.includes(row.owner) ? row.id : null)),
  },
  {
    name: 'GraphQL sessions with Session.threads and Session.interceptions',
    run: one(ql(`{ sessions(first: 20) { totalCount edges { node { ${SESSION_FIELDS} } } } }`)),
    check: ([r], v) => {
      const c = ok(r).data.sessions;
      const expected = sessionsOf(v);
      expect(c.totalCount).toBe(expected.length);
      const got = c.edges.map(({ node }: { node: { sessionId: string; initiator: { uuid: string }; tokenUsageSummary: { inputTokens: number } } }) =>
        `${ownerOfUser(node.initiator.uuid)} ${node.sessionId} ${node.tokenUsageSummary.inputTokens}`);
      expect(sorted(got)).toEqual(sorted(expected.map((s) => `${s.owner} ${s.sessionId} ${sum(s.rows)}`)));
      for (const { node } of c.edges) {
        const o = ownerOfUser(node.initiator.uuid)!;
        expect(node.interceptions.totalCount).toBe(rowsOf([o]).filter((x) => x.sessionId === node.sessionId).length);
        for (const t of node.threads.edges) for (const i of t.node.interceptions) expect(v).toContain(ownerOfUser(i.initiator.uuid));
      }
    },
  },
  {
    name: 'GraphQL session(id) by every session id and every interception UUID',
    run: many(sessionLookups, (l) => ql('query($id: String!) { session(id: $id) { sessionId initiator { uuid } tokenUsageSummary { inputTokens } } }', { id: l.key })),
    check: (res, v) =>
      sessionLookups().forEach((l, n) => {
        const s = ok(res[n]).data.session;
        const reachable = l.owners.filter((o) => v.includes(o));
        if (reachable.length === 0) return void expect(s, l.key).toBeNull();
        const o = ownerOfUser(s.initiator.uuid)!;
        expect(reachable).toContain(o);
        expect(String(s.tokenUsageSummary.inputTokens)).toBe(sum(sessionsOf([o]).find((x) => x.sessionId === s.sessionId)!.rows));
      }),
  },
  {
    name: 'GraphQL node(id) for every global id (interceptions, threads, sessions, users)',
    run: many(globalIds, (g) => ql(`query($id: ID!) { node(id: $id) { ${NODE_FIELDS} } }`, { id: g.gid })),
    check: (res, v, p) =>
      globalIds().forEach((g, n) => {
        const node = ok(res[n]).data.node;
        expect(node !== null, Buffer.from(g.gid, 'base64').toString()).toBe(g.visibleTo(v, p));
        if (node?.__typename === 'User') {
          const o = ownerOfUser(node.uuid);
          // An owner looking at a user sees exactly that user's rows.
          expect(node.interceptions.totalCount).toBe(o ? rowsOf([o]).length : 0);
          expect(node.sessions.totalCount).toBe(o ? sessionsOf([o]).length : 0);
        }
      }),
  },
  {
    name: 'GraphQL nodes(ids) with every global id at once',
    run: async (app, token) => [await gql(app, `query($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_FIELDS} } }`, { ids: globalIds().map((g) => g.gid) }, token)],
    check: ([r], v, p) => expect(ok(r).data.nodes.map((x: unknown) => x !== null)).toEqual(globalIds().map((g) => g.visibleTo(v, p))),
  },
  ...(['models', 'clients'] as const).map((kind): Probe => ({
    name: `GraphQL ${kind}`,
    run: one(ql(`{ ${kind} }`)),
    check: ([r], v) => expect(ok(r).data[kind]).toEqual(sorted(v.map((o) => `${kind.slice(0, -1)}-${marker(o)}`))),
  })),
  ...(['interceptions', 'sessions'] as const).map((field): Probe => ({
    name: `GraphQL ${field}(filter: { initiator: <each user> })`,
    run: many(() => OWNERS, (o) => ql(`query($f: InterceptionFilter) { ${field}(first: 1000, filter: $f) { totalCount edges { node { initiator { uuid } } } } }`,
      { f: { initiator: world.users[o].username, includeInFlight: true } })),
    check: (res, v) =>
      OWNERS.forEach((o, n) => {
        if (!v.includes(o)) {
          expect(res[n].body.errors?.[0]?.extensions?.code, res[n].text).toBe('BAD_USER_INPUT');
          expect(res[n].body.errors[0].message).toMatch(/either does not exist, or you are unauthorized to view them/);
          return;
        }
        const c = ok(res[n]).data[field];
        expect(c.totalCount).toBe(field === 'interceptions' ? rowsOf([o], false).length : sessionsOf([o]).length);
      }),
  })),
];

function expectUnauthenticated(res: Res[]) {
  for (const r of res) {
    expect(r.status, r.text).toBe(401);
    if (Array.isArray(r.body?.errors)) {
      expect(r.body.errors[0]).toMatchObject({ message: SIGNED_OUT_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } });
      expect(r.body.data ?? null).toBeNull();
    } else {
      expect(r.body).toMatchObject({ message: SIGNED_OUT_MESSAGE, detail: expect.any(String) });
    }
  }
}

describeEachDb(
  'authorization matrix',
  (ctx) => {
    let app: App;
    const getApp = () => (app ??= createApp({ db: ctx().db }));

    it('seeds the six rows of member B and the six sessions the matrix counts on', () => {
      expect(world.rows.filter((r) => r.owner === 'B')).toHaveLength(6);
      expect(sessionsOf(OWNERS)).toHaveLength(6);
    });

    for (const p of PRINCIPALS) {
      for (const probe of PROBES) {
        it(`${p.name} × ${probe.name}: ${p.sees ? `sees the rows of ${p.sees.join(', ')} and no others` : 'is refused as unauthenticated'}`, async () => {
          const res = await probe.run(getApp(), p.token());
          expect(res.length).toBeGreaterThan(0);
          if (p.sees === null) {
            expectUnauthenticated(res);
            for (const r of res) expectNoLeak(r.text, []);
            return;
          }
          for (const r of res) expectNoLeak(probe.scrub ? probe.scrub(r.text) : r.text, p.sees);
          probe.check(res, p.sees, p);
        });
      }
    }
  },
  async ({ db }) => {
    nextInput = 1;
    world = await seedWorld(db);
  },
);
