import { expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { seed } from '../../src/db/seed.ts';
import { createToken } from '../../src/db/users.ts';
import { describeEachGeneration } from '../support/databases.ts';
import { call } from '../support/http.ts';

/**
 * The NDJSON exports against the REST lists: for the same q, the export's lines are the list's
 * items (all pages concatenated through the list's own cursor), byte for byte once each item is
 * re-encoded alone. Many more rows than one export batch (EXPORT_BATCH), so batches join without gaps.
 */
const ROWS = 2300;
let owner = '';
let alice = '';

async function listAll(app: App, path: string, token: string, key: 'results' | 'sessions', cursor: 'after_id' | 'after_session_id'): Promise<unknown[]> {
  const all: unknown[] = [];
  let after: string | undefined;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call(app, `${path}${sep}limit=1000${after ? `&${cursor}=${encodeURIComponent(after)}` : ''}`, { token });
    expect(res.status).toBe(200);
    const page = res.body[key] as { id: string }[];
    all.push(...page);
    if (page.length < 1000) return all;
    after = page[page.length - 1].id;
  }
}

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);

describeEachGeneration(
  'exports equal the REST lists',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    it('interceptions: every page of the list, in order, for the owner and for a member', async () => {
      for (const [token, q] of [[owner, ''], [alice, ''], [owner, 'provider:anthropic'], [alice, 'model:claude-sonnet-4-5']] as const) {
        const qs = q ? `?q=${encodeURIComponent(q)}` : '';
        const list = await listAll(app(), `/api/v2/aibridge/interceptions${qs}`, token, 'results', 'after_id');
        const res = await call(app(), `/api/v2/aibridge/export/interceptions${qs}`, { token });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
        expect(lines(res.text)).toEqual(list);
        if (token === owner && !q) expect(list.length).toBeGreaterThan(1000);
      }
    });

    it('sessions: every page of the list, in order, for the owner and for a member', async () => {
      for (const [token, q] of [[owner, ''], [alice, ''], [owner, 'provider:openai']] as const) {
        const qs = q ? `?q=${encodeURIComponent(q)}` : '';
        const list = await listAll(app(), `/api/v2/ai-gateway/sessions${qs}`, token, 'sessions', 'after_session_id');
        const res = await call(app(), `/api/v2/ai-gateway/export/sessions${qs}`, { token });
        expect(res.status).toBe(200);
        expect(lines(res.text)).toEqual(list);
      }
    });

    it('a member exports only their own interceptions', async () => {
      const res = await call(app(), '/api/v2/aibridge/export/interceptions', { token: alice });
      const rows = lines(res.text) as { initiator: { username: string } }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.initiator.username))).toEqual(new Set(['alice']));
    });
  },
  async (t) => {
    await seed(t.db, { interceptions: ROWS, seed: 11 });
    owner = await createToken(t.db, 'admin');
    alice = await createToken(t.db, 'alice');
  },
);
