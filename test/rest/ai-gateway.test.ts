import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachGeneration } from '../support/databases.ts';
import { call } from '../support/http.ts';
import { ID, seedScenario, type Scenario } from './scenario.ts';

let s: Scenario;

/** Requests (paths after the API prefix) covering every endpoint, its query parameters and its errors. */
const REQUESTS = [
  '/interceptions',
  '/interceptions?limit=1&offset=1',
  '/interceptions?q=model:gpt-5',
  '/interceptions?limit=abc',
  '/sessions',
  '/sessions?limit=1&after_session_id=sess-bob',
  '/sessions?q=nonsense:1',
  '/sessions/sess-alice-1',
  `/sessions/${ID.A2}?limit=1`,
  '/sessions/no-such-session',
  '/sessions/sess-alice-1?after_id=x',
  '/models',
  '/models?q=gpt',
  '/clients',
];

describeEachGeneration(
  'REST under /api/v2/ai-gateway',
  (ctx) => {
    const get = (path: string, token?: string) => call(createApp({ db: ctx().db }), path, { token });

    it('answers every endpoint, query and error byte for byte like its /api/v2/aibridge twin', async () => {
      for (const token of [s.owner.token, s.alice.token, 'bad-token', undefined]) {
        for (const path of REQUESTS) {
          const [gateway, bridge] = await Promise.all([get(`/api/v2/ai-gateway${path}`, token), get(`/api/v2/aibridge${path}`, token)]);
          expect(gateway.status, path).toBe(bridge.status);
          expect(gateway.headers.get('content-type'), path).toBe(bridge.headers.get('content-type'));
          expect(gateway.text, path).toBe(bridge.text);
        }
      }
      // The comparison means something: the twin answers real data and real errors.
      expect((await get('/api/v2/aibridge/sessions/sess-alice-1', s.owner.token)).body.threads).toHaveLength(2);
      expect((await get('/api/v2/aibridge/interceptions?limit=abc', s.owner.token)).status).toBe(400);
    });

    it('answers 404 JSON for an unknown path under the new prefix, and for the bare prefix', async () => {
      for (const path of ['/api/v2/ai-gateway/nothing', '/api/v2/ai-gateway']) {
        const res = await get(path, s.owner.token);
        expect(res.status, path).toBe(404);
        expect(res.body, path).toEqual({ message: 'Route not found.', detail: `No route for ${path}.` });
      }
    });
  },
  async (t) => {
    s = await seedScenario(t.db);
  },
);
