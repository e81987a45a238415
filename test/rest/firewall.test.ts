import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { countStatements } from '../support/fixtures.ts';
import { call } from '../support/http.ts';
import { FW, seedFirewallScenario, type FirewallScenario } from './firewall-scenario.ts';

let s: FirewallScenario;

const t = (second: number) => new Date(Date.UTC(2026, 4, 1, 12, 0, 0) + second * 1000).toISOString().replace('.000Z', 'Z');
const logItem = (n: number, seq: number, detail: string, o: { second?: number; proto?: string; method?: string; rule?: string | null } = {}) => ({
  id: FW.log(n), session_id: FW.FW1, sequence_number: seq, allowed: o.rule !== null, created_at: t(o.second ?? n),
  proto: o.proto ?? 'http', method: o.method ?? 'GET', detail, matched_rule: o.rule === undefined ? 'allow-all' : o.rule, captured_at: t(o.second ?? n),
});

describeEachDb(
  'REST Agent Firewall network calls and thread errors (current schema)',
  (ctx) => {
    const get = (path: string, token = s.owner.token) => call(createApp({ db: ctx().db }), path, { token });
    const detail = async (id: string) => {
      const res = await get(`/api/v2/ai-gateway/sessions/${id}`);
      expect(res.status, id).toBe(200);
      return res;
    };

    it('counts each interception\'s window: lower bound exclusive, up to the next sequence of ANY interception of the firewall session', async () => {
      const { body } = await detail('fw-s1');
      // I1 (10, 20): 11, 12 (blocked), 15 (dns counts too), 19; I3 (30, 40): 31, 35. Not 5, 10 (= I1), 20 (= I2), 41.
      expect(body.network_calls).toEqual({ total: 6, blocked: 1 });
      expect(body.network_call_logs).toEqual([
        logItem(3, 11, 'https://api.github.com:8080/repos'),
        logItem(10, 35, 'https://example.com/path', { second: 3 }),
        logItem(4, 12, 'api.github.com/x', { rule: null, method: 'POST' }),
        logItem(5, 15, 'github.com', { proto: 'dns', method: 'A' }),
        logItem(6, 19, 'https://example.com?x=1'),
        logItem(9, 31, ''),
      ]);
      // http only, empty host dropped; api.github.com and example.com tie at 2: domain ascending.
      expect(body.network_top_domains).toEqual([{ domain: 'api.github.com', count: 2 }]);
      expect(body.network_domain_count).toBe(2);
    });

    it('keeps two AI sessions sharing one firewall session apart, and gives an in-flight interception\'s window to nobody', async () => {
      const { body } = await detail('fw-s2');
      expect(body.network_calls).toEqual({ total: 1, blocked: 1 });
      expect(body.network_call_logs.map((l: { id: string }) => l.id)).toEqual([FW.log(8)]);
      expect(body.network_top_domains).toEqual([{ domain: 'evil.test', count: 1 }]);
    });

    it('treats a missing next sequence as open-ended, and blocked as matched_rule NULL whatever the protocol', async () => {
      const { body } = await detail('fw-s3');
      expect(body.network_calls).toEqual({ total: 2, blocked: 1 });
      expect(body.network_call_logs.map((l: { sequence_number: number; allowed: boolean }) => [l.sequence_number, l.allowed])).toEqual([[2, false], [1000000, true]]);
      expect(body.network_top_domains).toEqual([{ domain: 'far.test', count: 1 }]);
      expect(body.network_domain_count).toBe(1);
    });

    it('extracts hosts as Coder does: port, no scheme, query string, fragment, other schemes; empty hosts dropped', async () => {
      const { body } = await detail('fw-hosts');
      // api.github.com ×2 (with port; without scheme), example.com (query), Example.COM (fragment; case kept), localhost (port, no scheme), files.test (ftp)
      expect(body.network_top_domains).toEqual([{ domain: 'api.github.com', count: 2 }]);
      expect(body.network_domain_count).toBe(5);
      expect(body.network_calls).toEqual({ total: 7, blocked: 0 });
    });

    it('reads counts, logs and the top domain of a session detail in one statement (5 in all)', async () => {
      // One app, warmed: its schema probe reads the catalog once, on its first request.
      const app = createApp({ db: ctx().db });
      await call(app, '/api/v2/ai-gateway/sessions/fw-s1', { token: s.owner.token });
      const { result, names } = await countStatements(ctx().db, () => call(app, '/api/v2/ai-gateway/sessions/fw-s1', { token: s.owner.token }));
      expect(result.body.network_call_logs).toHaveLength(6);
      expect(names).toEqual(['auth.apiKey', 'networkCalls.ofSession', 'sessions.detailHead', 'threads.agenticActions', 'threads.page']);
    });

    it('lists at most 1000 calls, the earliest, while counting all of them', async () => {
      const { body } = await detail('fw-cap');
      expect(body.network_calls).toEqual({ total: 1005, blocked: 502 });
      expect(body.network_call_logs).toHaveLength(1000);
      expect(body.network_call_logs[0]).toMatchObject({ id: FW.log(2004), sequence_number: 1005 });
      expect(body.network_call_logs.at(-1)).toMatchObject({ id: FW.log(1005), sequence_number: 6 });
      expect(body.network_domain_count).toBe(3);
    });

    it('answers 0 of 0, an empty log and no domains for a firewall session without calls', async () => {
      const { body } = await detail('fw-quiet');
      expect(body.network_calls).toEqual({ total: 0, blocked: 0 });
      expect(body.network_call_logs).toEqual([]);
      expect(body.network_top_domains).toEqual([]);
      expect(body.network_domain_count).toBe(0);
    });

    it('omits every network field for a session the firewall never saw, in the list and the detail', async () => {
      const { body } = await detail('fw-none');
      for (const key of ['network_calls', 'network_call_logs', 'network_top_domains', 'network_domain_count']) expect(body, key).not.toHaveProperty(key);
      const list = await get('/api/v2/ai-gateway/sessions?q=session_id:fw-none');
      expect(list.body.sessions[0]).not.toHaveProperty('network_calls');
    });

    it('puts network_calls last in each session of the list, present (even 0 of 0) wherever the firewall saw the session', async () => {
      const list = await get('/api/v2/ai-gateway/sessions', s.carol.token);
      expect(list.status).toBe(200);
      const calls = Object.fromEntries(list.body.sessions.map((x: { id: string; network_calls?: unknown }) => [x.id, x.network_calls]));
      expect(calls).toEqual({
        'fw-s1': { total: 6, blocked: 1 }, 'fw-s2': { total: 1, blocked: 1 }, 'fw-s3': { total: 2, blocked: 1 },
        'fw-hosts': { total: 7, blocked: 0 }, 'fw-none': undefined, 'fw-cap': { total: 1005, blocked: 502 },
        'fw-quiet': { total: 0, blocked: 0 },
      });
      expect(Object.keys(list.body.sessions.find((x: { id: string }) => x.id === 'fw-s1')).at(-1)).toBe('network_calls');
      expect(list.text).toContain('"last_active_at":"2026-05-01T12:00:00Z","network_calls":{"total":6,"blocked":1}}');
    });

    it('shows the root\'s error type and message on threads, omitted on success and never a message without a type', async () => {
      const s1 = (await detail('fw-s1')).body;
      const [t1, t3] = s1.threads;
      expect(t1).toMatchObject({ id: FW.I1, error_type: 'rate_limited', error_message: 'Too many requests <slow down>', agent_firewall_session_id: FW.FW1, agent_firewall_sequence_number: 10 });
      expect(t3.id).toBe(FW.I3);
      expect(t3).not.toHaveProperty('error_type');
      expect(t3).not.toHaveProperty('error_message');
      expect(t3.agent_firewall_sequence_number).toBe(30);
      const t2 = (await detail('fw-s2')).body.threads[0];
      expect(t2).toMatchObject({ id: FW.I2, error_type: 'overloaded' });
      expect(t2).not.toHaveProperty('error_message');
      const none = (await detail('fw-none')).body.threads[0];
      for (const key of ['error_type', 'error_message', 'agent_firewall_session_id', 'agent_firewall_sequence_number']) expect(none).not.toHaveProperty(key);
      // Go's HTML-safe escaping applies to the message too.
      expect((await detail('fw-s1')).text).toContain('"error_type":"rate_limited","error_message":"Too many requests \\u003cslow down\\u003e"');
    });

    it('shows another member nothing of carol\'s firewall sessions', async () => {
      const res = await get('/api/v2/ai-gateway/sessions/fw-s1', s.dave.token);
      expect(res.status).toBe(404);
    });

    // Last in this file: it changes the tables.
    it('answers the same once tables gain columns nobody knows yet (a newer Coder)', async () => {
      const before = await Promise.all(['/api/v2/ai-gateway/sessions', '/api/v2/ai-gateway/sessions/fw-s1'].map((p) => get(p)));
      await ctx().db.exec(`ALTER TABLE aibridge_interceptions ADD COLUMN zz_future text NOT NULL DEFAULT 'x';
        ALTER TABLE boundary_logs ADD COLUMN zz_future int; ALTER TABLE aibridge_token_usages ADD COLUMN zz_future jsonb`);
      const after = await Promise.all(['/api/v2/ai-gateway/sessions', '/api/v2/ai-gateway/sessions/fw-s1'].map((p) => get(p)));
      expect(after.map((r) => r.text)).toEqual(before.map((r) => r.text));
      expect(after[1].body.network_calls).toEqual({ total: 6, blocked: 1 });
    });
  },
  async (db) => {
    s = await seedFirewallScenario(db.db);
  },
  'current',
);
