import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { named } from '../../src/db/sql.ts';
import { describeEachDb } from '../support/databases.ts';
import { call } from '../support/http.ts';
import { goJson, seedScenario, type Scenario } from './scenario.ts';

let s: Scenario;
const PATH = '/api/v2/ai/providers';

describeEachDb(
  'REST /api/v2/ai/providers over a current Coder schema',
  (ctx) => {
    const get = (token?: string) => call(createApp({ db: ctx().db }), PATH, { token });

    it('lists live providers (disabled ones included, soft-deleted ones hidden) by name, without secrets, for owners and auditors', async () => {
      const expected = [
        {
          id: '10000000-0000-4000-8000-000000000002', type: 'anthropic', name: 'anthropic-main', display_name: 'Anthropic', icon: '/icon/claude.svg',
          enabled: true, base_url: 'https://api.anthropic.com', created_at: '2026-04-01T09:00:00Z', updated_at: '2026-04-01T09:30:00.5Z',
        },
        {
          id: '10000000-0000-4000-8000-000000000001', type: 'openai', name: 'openai-old', display_name: 'openai-old', icon: '',
          enabled: false, base_url: 'https://api.openai.com/v1', created_at: '2026-04-01T09:00:00Z', updated_at: '2026-04-01T09:00:00Z',
        },
      ];
      for (const token of [s.owner.token, s.auditor.token]) {
        const res = await get(token);
        expect(res.status).toBe(200);
        expect(res.text).toBe(goJson(expected));
        expect(res.text).not.toMatch(/secret|settings/);
      }
    });

    it('refuses members with 403 and anonymous callers with 401', async () => {
      const member = await get(s.alice.token);
      expect(member.status).toBe(403);
      expect(member.body).toEqual({ message: 'Forbidden.' });
      expect((await get()).status).toBe(401);
    });
  },
  async (t) => {
    s = await seedScenario(t.db);
    await t.db.query(named('test')`INSERT INTO ai_providers (id, type, name, display_name, enabled, deleted, base_url, settings, icon, created_at, updated_at) VALUES
      ('10000000-0000-4000-8000-000000000001', 'openai', 'openai-old', NULL, false, false, 'https://api.openai.com/v1', 'secret-openai', '', '2026-04-01T09:00:00Z', '2026-04-01T09:00:00Z'),
      ('10000000-0000-4000-8000-000000000002', 'anthropic', 'anthropic-main', 'Anthropic', true, false, 'https://api.anthropic.com', 'secret-anthropic', '/icon/claude.svg', '2026-04-01T09:00:00Z', '2026-04-01T09:30:00.5Z'),
      ('10000000-0000-4000-8000-000000000003', 'google', 'gone', 'Gone', true, true, 'https://g.example.com', 'secret-gone', '', '2026-04-01T09:00:00Z', '2026-04-01T09:00:00Z')`);
  },
  'current',
);

describeEachDb(
  'REST /api/v2/ai/providers over a seed-era schema',
  (ctx) => {
    it('does not exist: 404 JSON for every caller that signs in', async () => {
      for (const token of [s.owner.token, s.auditor.token, s.alice.token]) {
        const res = await call(createApp({ db: ctx().db }), PATH, { token });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ message: 'Route not found.', detail: `No route for ${PATH}.` });
      }
    });
  },
  async (t) => {
    s = await seedScenario(t.db);
  },
  'seed-era',
);
