import { named } from '../src/db/sql.ts';
import { expect, it } from 'vitest';
import { seed } from '../src/db/seed.ts';
import type { Db } from '../src/db/db.ts';
import { createTestDb, describeEachDb } from './support/databases.ts';
import { createApp } from '../src/app.ts';
import { createToken } from '../src/db/users.ts';
import { call } from './support/http.ts';

/** A digest of every seeded row, to compare two runs. */
async function digest(db: Db): Promise<string> {
  const [row] = await db.query<{ d: string }>(named('test')`
    SELECT md5(string_agg(t, '|' ORDER BY t)) AS d FROM (
      SELECT i::text AS t FROM aibridge_interceptions i UNION ALL
      SELECT u::text FROM aibridge_token_usages u UNION ALL
      SELECT u::text FROM aibridge_tool_usages u UNION ALL
      SELECT u::text FROM aibridge_user_prompts u UNION ALL
      SELECT u::text FROM aibridge_model_thoughts u) x`);
  return row.d;
}

describeEachDb('demo data', (ctx) => {
  it('writes exactly the number of interceptions asked for, with the shapes AI Bridge records', async () => {
    const { db } = ctx();
    expect(await seed(db, { interceptions: 600, seed: 7 })).toBe(600);
    const [s] = await db.query<Record<string, string>>(named('test')`
      SELECT
        (SELECT count(*) FROM aibridge_interceptions) AS interceptions,
        (SELECT count(*) FROM aibridge_interceptions WHERE ended_at IS NULL) AS in_flight,
        (SELECT count(*) FROM aibridge_interceptions WHERE thread_root_id IS NOT NULL) AS follow_ups,
        (SELECT count(*) FROM (SELECT session_id FROM aibridge_interceptions WHERE client_session_id IS NOT NULL
            AND thread_root_id IS NULL GROUP BY session_id HAVING count(*) > 1) x) AS multi_thread_sessions,
        (SELECT count(*) FROM aibridge_interceptions WHERE client_session_id IS NULL) AS thread_derived,
        (SELECT count(*) FROM aibridge_tool_usages WHERE injected AND server_url IS NOT NULL) AS mcp_calls,
        (SELECT count(*) FROM aibridge_tool_usages WHERE invocation_error IS NOT NULL) AS tool_errors,
        (SELECT count(*) FROM aibridge_model_thoughts) AS thoughts,
        (SELECT count(*) FROM aibridge_token_usages WHERE cache_read_input_tokens > 0) AS cache_reads,
        (SELECT count(*) FROM aibridge_token_usages WHERE cache_write_input_tokens > 0) AS cache_writes,
        (SELECT count(DISTINCT provider) FROM aibridge_interceptions) AS providers,
        (SELECT count(DISTINCT provider_name) FROM aibridge_interceptions) AS provider_names,
        (SELECT count(DISTINCT model) FROM aibridge_interceptions) AS models,
        (SELECT count(DISTINCT coalesce(client, '<null>')) FROM aibridge_interceptions) AS clients,
        (SELECT count(*) FROM aibridge_interceptions WHERE client IS NULL) AS null_clients,
        (SELECT count(*) FROM aibridge_interceptions WHERE credential_kind = 'byok' AND credential_hint LIKE 'sk-%...%') AS byok,
        (SELECT count(*) FROM aibridge_interceptions WHERE started_at::text ~ '\\.\\d{6}') AS microsecond_starts,
        (SELECT count(*) FROM aibridge_interceptions i JOIN users u ON u.id = i.initiator_id WHERE u.deleted) AS by_deleted_users`);
    expect(Number(s.interceptions)).toBe(600);
    expect(Number(s.in_flight)).toBe(3);
    for (const key of ['follow_ups', 'multi_thread_sessions', 'thread_derived', 'mcp_calls', 'tool_errors', 'thoughts', 'cache_reads', 'cache_writes', 'null_clients', 'byok', 'microsecond_starts']) {
      expect(Number(s[key]), key).toBeGreaterThan(0);
    }
    expect(Number(s.providers)).toBeGreaterThanOrEqual(3);
    expect(Number(s.provider_names)).toBeGreaterThanOrEqual(3);
    expect(Number(s.models)).toBeGreaterThanOrEqual(5);
    expect(Number(s.clients)).toBeGreaterThanOrEqual(5);
    expect(Number(s.by_deleted_users)).toBeGreaterThan(0);
  });

  it('is deterministic: the same seed and count write the same rows', async () => {
    const other = await createTestDb(ctx().kind);
    try {
      await seed(other.db, { interceptions: 600, seed: 7 });
      expect(await digest(other.db)).toBe(await digest(ctx().db));
      const third = await createTestDb(ctx().kind);
      try {
        await seed(third.db, { interceptions: 600, seed: 8 });
        expect(await digest(third.db)).not.toBe(await digest(ctx().db));
      } finally {
        await third.close();
      }
    } finally {
      await other.close();
    }
  });
});

describeEachDb(
  'demo data over a current Coder schema',
  (ctx) => {
    it('adds failed requests of every error type, firewall sessions with allowed and blocked http and dns calls, providers, annotations and workspaces', async () => {
      const { db } = ctx();
      await seed(db, { interceptions: 600, seed: 7 });
      const [s] = await db.query<Record<string, string>>(named('test')`
        SELECT
          (SELECT count(DISTINCT error_type) FROM aibridge_interceptions WHERE error_message <> '') AS error_types,
          (SELECT count(*) FROM aibridge_interceptions WHERE error_type IS NOT NULL AND ended_at IS NULL) AS in_flight_errors,
          (SELECT count(DISTINCT agent_firewall_session_id) FROM aibridge_interceptions) AS firewall_sessions,
          (SELECT count(*) FROM boundary_sessions) AS boundary_sessions,
          (SELECT count(*) FROM boundary_logs WHERE proto = 'http' AND matched_rule IS NULL) AS blocked_http,
          (SELECT count(*) FROM boundary_logs WHERE proto = 'http' AND matched_rule IS NOT NULL) AS allowed_http,
          (SELECT count(*) FROM boundary_logs WHERE proto = 'dns') AS dns,
          -- every log lies inside the window of the interception that made it
          (SELECT count(*) FROM boundary_logs l WHERE NOT EXISTS (
             SELECT 1 FROM aibridge_interceptions i WHERE i.agent_firewall_session_id = l.session_id
                AND l.sequence_number > i.agent_firewall_sequence_number AND l.sequence_number < i.agent_firewall_sequence_number + 10)) AS stray_logs,
          -- recorded costs are the pricing seed's (recorded variant), not this one's
          (SELECT count(*) FROM aibridge_token_usages WHERE cost_micros IS NOT NULL) AS priced,
          (SELECT count(*) FROM ai_providers) AS providers,
          (SELECT count(*) FROM aibridge_interceptions WHERE provider_id IS NOT NULL) AS with_provider,
          (SELECT count(*) FROM aibridge_interceptions WHERE annotations <> '{}') AS annotated,
          (SELECT count(*) FROM aibridge_interceptions WHERE workspace_id IS NOT NULL) AS in_workspaces`);
      expect(Number(s.error_types)).toBe(7);
      expect(Number(s.in_flight_errors)).toBe(0);
      expect(Number(s.stray_logs)).toBe(0);
      expect(Number(s.priced)).toBe(0);
      expect(Number(s.providers)).toBe(5);
      for (const key of ['firewall_sessions', 'boundary_sessions', 'blocked_http', 'allowed_http', 'dns', 'with_provider', 'annotated', 'in_workspaces']) {
        expect(Number(s[key]), key).toBeGreaterThan(0);
      }
    });

    it('shows a session with network calls and a failed thread through REST', async () => {
      const { db } = ctx();
      const token = await createToken(db, 'admin');
      const [row] = await db.query<{ id: string }>(named('test')`
        SELECT r.session_id AS id FROM aibridge_interceptions r
         WHERE r.thread_root_id IS NULL AND r.error_type IS NOT NULL AND r.agent_firewall_session_id IS NOT NULL AND r.ended_at IS NOT NULL
         ORDER BY r.started_at DESC LIMIT 1`);
      expect(row).toBeDefined();
      const res = await call(createApp({ db }), `/api/v2/ai-gateway/sessions/${encodeURIComponent(row.id)}?limit=200`, { token });
      expect(res.status).toBe(200);
      expect(res.body.network_calls.total).toBeGreaterThanOrEqual(0);
      expect(res.body.threads.some((t: { error_type?: string; error_message?: string }) => t.error_type && t.error_message)).toBe(true);
    });
  },
  undefined,
  'current',
);
