import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, readMigrations, splitStatements } from '../src/db/migrate.ts';
import { hashSecret, newToken } from '../src/auth/token.ts';
import { adminUrl } from './support/databases.ts';
import { startServer, type RunningServer } from './support/process.ts';

/**
 * Read-only mode over a database shaped like Coder's: tables created from the migration SQL by
 * another role, no _prisma_migrations, and a login that may only SELECT. Any write the gateway
 * attempted would fail with a permission error, so serving at all proves it writes nothing.
 */
const base = process.env.TEST_DATABASE_URL;
const suffix = randomBytes(4).toString('hex');
const owner = `coder_owner_${suffix}`;
const reader = `coder_reader_${suffix}`;
const database = `coder_ro_${suffix}`;
const RO_ID = '0000000a-0000-4000-8000-00000000000a';
const READ_TABLES = ['aibridge_interceptions', 'aibridge_token_usages', 'aibridge_tool_usages', 'aibridge_user_prompts', 'aibridge_model_thoughts', 'users', 'api_keys'];
/** The optional grants of docs/read-only.md for a current Coder: firewall logs, providers, prices, spend. */
const CURRENT_TABLES = ['boundary_logs', 'ai_providers', 'ai_model_prices', 'ai_user_daily_spend'];
const FW_SESSION = '0000000f-0000-4000-8000-00000000000f';

async function asAdmin(sql: string[], db = 'postgres') {
  const c = new pg.Client({ connectionString: adminUrl(base!, db) });
  await c.connect();
  try {
    for (const s of sql) await c.query(s);
  } finally {
    await c.end();
  }
}

function urlAs(user: string) {
  const u = new URL(adminUrl(base!, database));
  u.username = user;
  return u.toString();
}

describe.runIf(base)('READ_ONLY=1 over a Coder-shaped database with a SELECT-only login [postgres]', () => {
  let server: RunningServer | undefined;
  const { token, id, secret } = newToken();

  beforeAll(async () => {
    await asAdmin([`CREATE ROLE ${owner} LOGIN`, `CREATE ROLE ${reader} LOGIN`, `CREATE DATABASE ${database} OWNER ${owner}`]);
    await asAdmin([`GRANT ALL ON SCHEMA public TO ${owner}`], database);
    const c = new pg.Client({ connectionString: urlAs(owner) });
    await c.connect();
    for (const m of await readMigrations()) {
      for (const s of splitStatements(await readFile(path.join(MIGRATIONS_DIR, m.name, 'migration.sql'), 'utf8'))) await c.query(s);
    }
    await c.query(`INSERT INTO users (id, email, username, rbac_roles, status) VALUES ('00000000-0000-4000-8000-0000000000aa', 'o@example.com', 'coder-admin', '{owner}', 'active')`);
    await c.query(`INSERT INTO api_keys (id, hashed_secret, user_id, expires_at) VALUES ($1, $2, '00000000-0000-4000-8000-0000000000aa', now() + interval '1 day')`, [id, hashSecret(secret)]);
    // One completed interception with every child kind, so each endpoint has something to read.
    await c.query(`INSERT INTO aibridge_interceptions (id, initiator_id, provider, model, started_at, ended_at, client, client_session_id)
      VALUES ('${RO_ID}', '00000000-0000-4000-8000-0000000000aa', 'anthropic', 'claude-ro', now() - interval '1 minute', now(), 'ro-client', 'ro-session')`);
    await c.query(`INSERT INTO aibridge_token_usages (id, interception_id, provider_response_id, input_tokens, output_tokens, created_at) VALUES (gen_random_uuid(), '${RO_ID}', 'r', 3, 4, now())`);
    await c.query(`INSERT INTO aibridge_user_prompts (id, interception_id, provider_response_id, prompt, created_at) VALUES (gen_random_uuid(), '${RO_ID}', 'r', 'hello', now())`);
    await c.query(`INSERT INTO aibridge_tool_usages (id, interception_id, provider_response_id, tool, input, created_at) VALUES (gen_random_uuid(), '${RO_ID}', 'r', 'Read', '{}', now())`);
    await c.query(`INSERT INTO aibridge_model_thoughts (interception_id, content, created_at) VALUES ('${RO_ID}', 'hmm', now())`);
    // What a current Coder adds: an upstream error, a firewall position and call, a provider.
    await c.query(`UPDATE aibridge_interceptions SET error_type = 'timeout', error_message = 'took too long',
      agent_firewall_session_id = '${FW_SESSION}', agent_firewall_sequence_number = 1 WHERE id = '${RO_ID}'`);
    await c.query(`INSERT INTO boundary_logs (id, session_id, sequence_number, captured_at, created_at, proto, method, detail, matched_rule)
      VALUES (gen_random_uuid(), '${FW_SESSION}', 2, now(), now(), 'http', 'GET', 'https://ro.example.com/x', NULL)`);
    await c.query(`INSERT INTO ai_providers (type, name, base_url, settings) VALUES ('anthropic', 'ro-anthropic', 'https://api.anthropic.com', 'encrypted')`);
    await c.query(`GRANT CONNECT ON DATABASE ${database} TO ${reader}`);
    await c.query(`GRANT USAGE ON SCHEMA public TO ${reader}`);
    // Exactly the grants docs/read-only.md tells Coder operators to give: the gateway reads no other table.
    await c.query(`GRANT SELECT ON ${READ_TABLES.join(', ')} TO ${reader}`);
    await c.end();
    server = await startServer({ DATABASE_URL: urlAs(reader), READ_ONLY: '1' });
  });

  afterAll(async () => {
    await server?.stop();
    await asAdmin([`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, `DROP ROLE IF EXISTS ${reader}`, `DROP ROLE IF EXISTS ${owner}`]);
  });

  it('is given a login that PostgreSQL refuses every write (the premise of this suite)', async () => {
    const c = new pg.Client({ connectionString: urlAs(reader) });
    await c.connect();
    await expect(c.query(`UPDATE users SET name = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(c.query(`CREATE TABLE t (x int)`)).rejects.toThrow(/permission denied/);
    await c.end();
  });

  it('starts, runs no migration and serves /readyz and GraphQL with a Coder session token', async () => {
    expect(server!.log()).toMatch(/\(read-only\) ready/);
    const ready = await fetch(server!.url.replace('/graphql', '/readyz'));
    expect(ready.status).toBe(200);
    const res = await fetch(server!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
      body: JSON.stringify({ query: '{ viewer { username } }' }),
    });
    expect(await res.json()).toEqual({ data: { viewer: { username: 'coder-admin' } } });
    const c = new pg.Client({ connectionString: urlAs(reader) });
    await c.connect();
    const { rows } = await c.query(`SELECT to_regclass('public._prisma_migrations') AS t`);
    await c.end();
    expect(rows[0].t).toBeNull();
  });

  // Every REST endpoint and every GraphQL root field (with the nested connections), over the
  // SELECT-only login: each answers with the one interception, none errors.
  const rest = async (p: string) => {
    const res = await fetch(server!.url.replace('/graphql', p), { headers: { 'Coder-Session-Token': token } });
    expect(res.status, p).toBe(200);
    return res.json();
  };
  const gql = async (query: string) => {
    const res = await fetch(server!.url, { method: 'POST', headers: { 'content-type': 'application/json', 'Coder-Session-Token': token }, body: JSON.stringify({ query }) });
    const body = await res.json();
    expect(body.errors, query).toBeUndefined();
    return body.data;
  };

  it('answers every REST endpoint 200 over the SELECT-only login', async () => {
    expect((await rest('/api/v2/aibridge/interceptions')).count).toBe(1);
    expect((await rest('/api/experimental/aibridge/interceptions')).results[0].token_usages).toHaveLength(1);
    expect((await rest('/api/v2/aibridge/sessions')).sessions[0].id).toBe('ro-session');
    expect((await rest(`/api/v2/aibridge/sessions/${RO_ID}`)).threads[0].agentic_actions[0].thinking).toEqual([{ text: 'hmm' }]);
    expect(await rest('/api/v2/aibridge/models')).toEqual(['claude-ro']);
    expect(await rest('/api/v2/aibridge/clients')).toEqual(['ro-client']);
  });

  it('shows with the seven grants what their tables hold of a current Coder, and treats ungranted tables as absent', async () => {
    const ready = await (await fetch(server!.url.replace('/graphql', '/readyz'))).json();
    expect(ready.capabilities).toEqual(expect.arrayContaining(['interceptionErrors', 'firewallColumns', 'tokenCosts']));
    expect(ready.capabilities).not.toContain('boundaryLogs');
    expect(ready.capabilities).not.toContain('providers');
    const detail = await rest(`/api/v2/ai-gateway/sessions/${RO_ID}`);
    expect(detail.threads[0]).toMatchObject({ error_type: 'timeout', error_message: 'took too long', agent_firewall_sequence_number: 1 });
    expect(detail).not.toHaveProperty('network_calls');
    const providers = await fetch(server!.url.replace('/graphql', '/api/v2/ai/providers'), { headers: { 'Coder-Session-Token': token } });
    expect(providers.status).toBe(404);
  });

  it('reads the firewall logs and providers once their optional grants are given', async () => {
    await asAdmin([`GRANT SELECT ON ${CURRENT_TABLES.join(', ')} TO ${reader}`], database);
    const granted = await startServer({ DATABASE_URL: urlAs(reader), READ_ONLY: '1' });
    try {
      const get = async (p: string) => {
        const res = await fetch(granted.url.replace('/graphql', p), { headers: { 'Coder-Session-Token': token } });
        expect(res.status, p).toBe(200);
        return res.json();
      };
      expect((await get('/readyz')).capabilities).toEqual(expect.arrayContaining(['boundaryLogs', 'providers', 'modelPrices', 'userDailySpend']));
      const detail = await get(`/api/v2/ai-gateway/sessions/${RO_ID}`);
      expect(detail.network_calls).toEqual({ total: 1, blocked: 1 });
      expect(detail.network_top_domains).toEqual([{ domain: 'ro.example.com', count: 1 }]);
      expect((await get('/api/v2/ai/providers')).map((p: { name: string }) => p.name)).toEqual(['ro-anthropic']);
      const res = await fetch(granted.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
        body: JSON.stringify({ query: '{ session(id: "ro-session") { networkCalls { total } networkCallLogs { edges { node { detail } } } topDomains { domain } } }' }),
      });
      expect(await res.json()).toEqual({
        data: { session: { networkCalls: { total: 1 }, networkCallLogs: { edges: [{ node: { detail: 'https://ro.example.com/x' } }] }, topDomains: [{ domain: 'ro.example.com' }] } },
      });
      expect(granted.log()).toMatch(/schema: detected .*boundaryLogs/);
    } finally {
      await granted.stop();
    }
  });

  it('answers every GraphQL root field without errors over the SELECT-only login', async () => {
    const i = `uuid userPrompts { prompt } toolUsages { tool } modelThoughts { content } tokenUsageSummary { inputTokens }
      threadRoot { uuid } threadParent { uuid } session { sessionId }`;
    const s = `sessionId threads { totalCount edges { node { uuid agenticActions { toolCalls { tool } } } } } interceptions { totalCount }`;
    const data = await gql(`{
      viewer { username interceptions { totalCount } sessions { totalCount } }
      interceptions { totalCount edges { node { id ${i} } } }
      interception(id: "${RO_ID}") { ${i} }
      sessions { totalCount edges { node { id ${s} } } }
      session(id: "ro-session") { ${s} }
      models clients
    }`);
    expect(data.viewer.interceptions.totalCount).toBe(1);
    expect(data.interception.userPrompts).toEqual([{ prompt: 'hello' }]);
    expect(data.session.threads.totalCount).toBe(1);
    expect(data.models).toEqual(['claude-ro']);
    const ids = [data.interceptions.edges[0].node.id, data.sessions.edges[0].node.id];
    const nodes = await gql(`{ node(id: "${ids[0]}") { id } nodes(ids: ${JSON.stringify(ids)}) { id } }`);
    expect(nodes.nodes.map((n: { id: string }) => n.id)).toEqual(ids);
  });
});
