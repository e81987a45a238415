import { named } from '../src/db/sql.ts';
import { expect, it } from 'vitest';
import { authenticate, AuthError, tokenFromRequest, type Viewer } from '../src/auth/viewer.ts';
import { visibleTo } from '../src/auth/visibility.ts';
import { createToken } from '../src/db/users.ts';
import { describeEachDb } from './support/databases.ts';
import { addInterception, addUser } from './support/fixtures.ts';

const detailOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AuthError) return err.detail;
    throw err;
  }
  throw new Error('expected an AuthError');
};

it('takes the token from cookie, query, header then Bearer, first non-empty wins', () => {
  const req = (url: string, headers: Record<string, string>) => new Request(`http://x${url}`, { headers });
  const all = { cookie: 'a=b; coder_session_token=from-cookie', 'coder-session-token': 'from-header', authorization: 'Bearer from-bearer' };
  expect(tokenFromRequest(req('/?coder_session_token=from-query', all))).toBe('from-cookie');
  expect(tokenFromRequest(req('/?coder_session_token=from-query', { ...all, cookie: 'coder_session_token=' }))).toBe('from-query');
  expect(tokenFromRequest(req('/?coder_session_token=', { 'coder-session-token': 'from-header', authorization: 'Bearer from-bearer' }))).toBe('from-header');
  expect(tokenFromRequest(req('/', { authorization: 'Bearer from-bearer' }))).toBe('from-bearer');
  expect(tokenFromRequest(req('/', { authorization: 'Basic abc' }))).toBeUndefined();
  expect(tokenFromRequest(req('/', {}))).toBeUndefined();
  // Cookie values are taken raw, as Coder does: a malformed escape fails the token check (401),
  // it does not break the request.
  expect(tokenFromRequest(req('/', { cookie: 'coder_session_token=%E0' }))).toBe('%E0');
});

let member: { id: string; token: string };
let other: { id: string; token: string };
let auditorToken: string;
let suspendedToken: string;

describeEachDb(
  'authentication and the visibility filter',
  (ctx) => {
    it('accepts a valid token and says who the caller is', async () => {
      const viewer = await authenticate(ctx().db, member.token);
      expect(viewer).toMatchObject({ id: member.id, username: 'mia', roles: [], seesAll: false });
      expect((await authenticate(ctx().db, auditorToken)).seesAll).toBe(true);
    });

    it('names the failed check in the 401 detail', async () => {
      const { db } = ctx();
      const [id, secret] = member.token.split('-') as [string, string];
      expect(await detailOf(authenticate(db, undefined))).toBe('Cookie "coder_session_token" or query parameter must be provided.');
      expect(await detailOf(authenticate(db, 'nodash'))).toMatch(/^Invalid API key format/);
      expect(await detailOf(authenticate(db, `${id}x-${secret}`))).toMatch(/^Invalid API key format: the id/);
      expect(await detailOf(authenticate(db, `${id}-${secret}x`))).toMatch(/^Invalid API key format: the secret/);
      expect(await detailOf(authenticate(db, `zzzzzzzzzz-${secret}`))).toBe('API key is invalid.');
      expect(await detailOf(authenticate(db, `${id}-${'A'.repeat(22)}`))).toBe('API key secret is invalid.');
      expect(await detailOf(authenticate(db, suspendedToken))).toBe('The user of this API key is suspended.');
    });

    it('rejects an expired key', async () => {
      const { db } = ctx();
      const token = await createToken(db, 'mia', 60);
      await db.query(named('test')`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = ${token.slice(0, 10)}`);
      expect(await detailOf(authenticate(db, token))).toMatch(/^API key expired at "/);
    });

    it('rejects the key of a deleted user', async () => {
      const { db } = ctx();
      const gone = await addUser(db, { username: 'gone' });
      await db.query(named('test')`UPDATE users SET deleted = true WHERE id = ${gone.id}`);
      expect(await detailOf(authenticate(db, gone.token))).toBe('The user of this API key has been deleted.');
    });

    it('filters interceptions in SQL: members see their own, auditors all', async () => {
      const { db } = ctx();
      const count = async (viewer: Viewer) => {
        const [row] = await db.query<{ n: string }>(named('test')`SELECT count(*) AS n FROM aibridge_interceptions i WHERE ${visibleTo(viewer)}`);
        return Number(row.n);
      };
      expect(await count(await authenticate(db, member.token))).toBe(2);
      expect(await count(await authenticate(db, other.token))).toBe(1);
      expect(await count(await authenticate(db, auditorToken))).toBe(3);
    });
  },
  async ({ db }) => {
    member = await addUser(db, { username: 'mia' });
    other = await addUser(db, { username: 'otto' });
    auditorToken = (await addUser(db, { username: 'aud', role: 'auditor' })).token;
    suspendedToken = (await addUser(db, { username: 'sus', status: 'suspended' })).token;
    for (const who of [member.id, member.id, other.id]) await addInterception(db, { initiatorId: who, startedAt: '2026-01-01T00:00:00Z' });
  },
);
