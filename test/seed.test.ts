import { named } from '../src/db/sql.ts';
import { expect, it } from 'vitest';
import { seed } from '../src/db/seed.ts';
import type { Db } from '../src/db/db.ts';
import { createTestDb, describeEachDb } from './support/databases.ts';

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
