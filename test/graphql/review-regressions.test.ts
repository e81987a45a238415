import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addUser } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';

/** Edge cases a code review found: masking, identifier case, date case. */
let owner: { id: string; token: string };
let unmasked: string;
let noHint: string;

describeEachDb(
  'GraphQL edge cases',
  (ctx) => {
    const ask = (query: string, variables?: Record<string, unknown>) => gql(createApp({ db: ctx().db }), query, variables, owner.token);

    it('never shows an unmasked credential hint, on interceptions as on threads', async () => {
      const res = await ask('query($id: UUID!) { interception(id: $id) { credentialHint } }', { id: unmasked });
      expect(res.body).toEqual({ data: { interception: { credentialHint: '...' } } });
      const thread = await ask('query($id: String!) { session(id: $id) { threads(first: 1) { edges { node { credentialHint } } } } }', { id: unmasked });
      expect(thread.body).toEqual({ data: { session: { threads: { edges: [{ node: { credentialHint: '...' } }] } } } });
    });

    it('answers an empty Interception.credentialHint when no hint is stored, as its description says', async () => {
      const res = await ask('query($id: UUID!) { interception(id: $id) { credentialHint } }', { id: noHint });
      expect(res.body).toEqual({ data: { interception: { credentialHint: '' } } });
      const field = await ask('{ __type(name: "Interception") { fields { name description } } }');
      const description = field.body.data.__type.fields.find((f: { name: string }) => f.name === 'credentialHint').description;
      expect(description).toMatch(/empty when unknown/);
    });

    it('resolves a User global id whatever the case of its UUID', async () => {
      const id = Buffer.from(`User:${owner.id.toUpperCase()}`).toString('base64');
      const res = await ask('query($id: ID!) { node(id: $id) { ... on User { uuid } } }', { id });
      expect(res.body).toEqual({ data: { node: { uuid: owner.id } } });
    });

    it('rejects startedBefore earlier than startedAfter even when written with a lower-case t and z', async () => {
      const res = await ask('query($f: InterceptionFilter) { interceptions(filter: $f) { totalCount } }', {
        f: { startedAfter: '2026-02-01t00:00:00z', startedBefore: '2026-01-01t00:00:00z' },
      });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'rev-owner', role: 'owner' });
    unmasked = await addInterception(db, { initiatorId: owner.id, startedAt: '2026-01-01T00:00:00Z', credentialKind: 'byok', credentialHint: 'sk-ant-api03-ab' });
    noHint = await addInterception(db, { initiatorId: owner.id, startedAt: '2026-01-02T00:00:00Z', credentialHint: '' });
  },
);
