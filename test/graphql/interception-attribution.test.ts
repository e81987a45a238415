import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { named } from '../../src/db/sql.ts';
import { describeEachGeneration } from '../support/databases.ts';
import { addInterception, addUser, countStatements } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';

/**
 * Interception.annotations, providerId and workspaceId: what a current Coder records but its
 * REST API does not show. Present over the current schema, null (and never selected) over the
 * seed-era one.
 */
const PROVIDER = '0a000000-0000-4000-8000-0000000000aa';
const WORKSPACE = '0b000000-0000-4000-8000-0000000000bb';
const ANNOTATIONS = { repos: ['coder/coder'], branches: ['main'], github_pr_urls: ['https://github.com/coder/coder/pull/1'] };
const QUERY = `query($a: UUID!, $b: UUID!) {
  a: interception(id: $a) { annotations providerId workspaceId }
  b: interception(id: $b) { annotations providerId workspaceId }
}`;

let owner: { id: string; token: string };
let ids: { annotated: string; plain: string };

describeEachGeneration(
  'Interception annotations, providerId and workspaceId',
  (ctx, generation) => {
    it(generation === 'current' ? 'shows them as recorded, {} and nulls where nothing was' : 'answers null for each, selecting none of the columns', async () => {
      const app = createApp({ db: ctx().db });
      const { result, names, statements } = await countStatements(ctx().db, () => gql(app, QUERY, { a: ids.annotated, b: ids.plain }, owner.token));
      expect(result.body.errors).toBeUndefined();
      if (generation === 'current') {
        expect(result.body.data).toEqual({
          a: { annotations: ANNOTATIONS, providerId: PROVIDER, workspaceId: WORKSPACE },
          b: { annotations: {}, providerId: null, workspaceId: null },
        });
        expect(names.filter((n) => n === 'interceptions.attribution')).toHaveLength(1);
      } else {
        expect(result.body.data).toEqual({ a: { annotations: null, providerId: null, workspaceId: null }, b: { annotations: null, providerId: null, workspaceId: null } });
        expect(names).not.toContain('interceptions.attribution');
        expect(statements.filter((s) => /annotations|provider_id|workspace_id/.test(s))).toEqual([]);
      }
    });

    it('leaves the REST shapes as Coder has them (no annotations, provider_id or workspace_id)', async () => {
      const res = await call(createApp({ db: ctx().db }), '/api/v2/aibridge/interceptions', { token: owner.token });
      expect(res.status).toBe(200);
      expect(res.body.results.length).toBe(2);
      for (const r of res.body.results) expect(Object.keys(r).filter((k) => /annotation|provider_id|workspace_id/.test(k))).toEqual([]);
    });
  },
  async ({ db }, generation) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
    ids = {
      annotated: await addInterception(db, { initiatorId: owner.id, startedAt: '2026-05-01T00:00:00Z' }),
      plain: await addInterception(db, { initiatorId: owner.id, startedAt: '2026-05-02T00:00:00Z' }),
    };
    if (generation === 'current') {
      await db.query(named('test.provider')`INSERT INTO ai_providers (id, type, name, base_url) VALUES (${PROVIDER}::uuid, 'anthropic', 'anthropic', 'https://api.anthropic.com')`);
      await db.query(named('test.attribution')`UPDATE aibridge_interceptions SET annotations = ${JSON.stringify(ANNOTATIONS)}::jsonb,
        provider_id = ${PROVIDER}::uuid, workspace_id = ${WORKSPACE}::uuid WHERE id = ${ids.annotated}::uuid`);
    }
  },
);
