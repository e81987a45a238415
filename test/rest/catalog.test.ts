import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addUser } from '../support/fixtures.ts';
import { call } from '../support/http.ts';
import { goJson, seedScenario, type Scenario } from './scenario.ts';

let s: Scenario;
let carol: { token: string };

describeEachDb(
  'REST /models and /clients',
  (ctx) => {
    const get = (path: string, token = s.owner.token) => call(createApp({ db: ctx().db }), path, { token });

    it('lists distinct models of completed visible interceptions, sorted', async () => {
      // in-flight-model (A4) never appears
      expect((await get('/api/v2/aibridge/models')).text).toBe(goJson(['claude-opus-4', 'claude-sonnet-4-5', 'gpt-5']));
      expect((await get('/api/v2/aibridge/models', s.bob.token)).text).toBe(goJson(['gpt-5']));
    });

    it('filters models by a case-sensitive prefix (bare word or model:) and pages by limit/offset', async () => {
      expect((await get('/api/v2/aibridge/models?q=claude')).body).toEqual(['claude-opus-4', 'claude-sonnet-4-5']);
      expect((await get('/api/v2/aibridge/models?q=model:claude-s')).body).toEqual(['claude-sonnet-4-5']);
      expect((await get('/api/v2/aibridge/models?q=Claude')).text).toBe(goJson([]));
      expect((await get('/api/v2/aibridge/models?limit=1&offset=1')).body).toEqual(['claude-sonnet-4-5']);
    });

    it('lists clients with NULL and "Unknown" merged into one Unknown', async () => {
      expect((await get('/api/v2/aibridge/clients')).text).toBe(goJson(['Unknown', 'claude-code']));
      expect((await get('/api/v2/aibridge/clients', s.bob.token)).body).toEqual(['Unknown']);
      expect((await get('/api/v2/aibridge/clients?q=claude')).body).toEqual(['claude-code']);
      expect((await get('/api/v2/aibridge/clients?q=client:Unk')).body).toEqual(['Unknown']);
    });

    it('writes [] rather than null when nothing is visible', async () => {
      expect((await get('/api/v2/aibridge/models', carol.token)).text).toBe('[]\n');
      expect((await get('/api/v2/aibridge/clients', carol.token)).text).toBe('[]\n');
    });

    it('rejects other search keys and bad paging parameters (after_id included) with the endpoint messages', async () => {
      const models = await get('/api/v2/aibridge/models?q=client:x');
      expect(models.status).toBe(400);
      expect(models.text).toBe(goJson({ message: 'Invalid AI Bridge models search query.', validations: [{ field: 'client', detail: '"client" is not a valid query param' }] }));
      const clients = await get('/api/v2/aibridge/clients?q=model:x');
      expect(clients.text).toBe(goJson({ message: 'Invalid AI Bridge clients search query.', validations: [{ field: 'model', detail: '"model" is not a valid query param' }] }));
      expect((await get('/api/v2/aibridge/models?limit=1001')).body).toEqual({ message: 'Invalid pagination limit value.', detail: 'Pagination limit must be in range (0, 1000]' });
      expect((await get('/api/v2/aibridge/clients?offset=x')).body.message).toBe('Query parameters have invalid values.');
      // Coder's shared pagination parser validates after_id on every list endpoint, cursor or not.
      const afterId = goJson({ message: 'Query parameters have invalid values.', validations: [{ field: 'after_id', detail: 'Query param "after_id" must be a valid uuid' }] });
      expect((await get('/api/v2/aibridge/models?after_id=nope')).text).toBe(afterId);
      expect((await get('/api/v2/aibridge/clients?after_id=nope')).text).toBe(afterId);
    });
  },
  async ({ db }) => {
    s = await seedScenario(db);
    carol = await addUser(db, { username: 'carol', role: 'member' });
  },
);
