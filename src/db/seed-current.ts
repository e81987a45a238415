import type { Capabilities } from './capabilities.ts';
import type { Queryable } from './db.ts';
import { named, sql, type SqlFragment } from './sql.ts';

/**
 * Demo data for what a current Coder records beyond the seed-era tables, written over the rows
 * `seed` wrote: failed requests of every upstream error type, Agent Firewall sessions with
 * allowed and blocked http and dns events inside the interceptions' windows, configured
 * providers, annotations and workspace ids, and a few rows of Coder's price table. Each part is
 * written only where the schema has it. Recorded costs and price snapshots are the pricing seed's
 * (./seed-pricing.ts, `recorded`): the demo's cost figures stay the price book's unless it is
 * asked for.
 *
 * Every choice is a hash of a row's own id (with `salt`), never the seed's random stream: the
 * rows `seed` writes stay exactly as they were, and the same rows always get the same extras.
 */

/** A deterministic pseudo-random integer in [0, 2^28) from an SQL expression. */
const h = (expr: SqlFragment, salt: string): SqlFragment => sql`(('x' || substr(md5(${salt} || ':' || ${expr}::text), 1, 7))::bit(28)::int)`;

/** One message per error type, as providers word them. */
const ERROR_MESSAGES: [string, string][] = [
  ['bad_request', 'messages.3.content.0: unexpected `tool_use_id` found in `tool_result` blocks'],
  ['unauthorized', 'invalid x-api-key'],
  ['rate_limited', 'This request would exceed the rate limit for your organization of 400,000 input tokens per minute.'],
  ['overloaded', 'Overloaded'],
  ['server_error', 'Internal server error'],
  ['timeout', 'upstream request timed out after 600s'],
  ['unknown', 'stream ended unexpectedly: connection reset by peer'],
];

/** Hosts agents call: the allowed ones carry the rule that allowed them; the rest are blocked. */
const HOSTS: [string, string | null][] = [
  ['api.github.com', 'domain=api.github.com'],
  ['github.com', 'domain=github.com'],
  ['registry.npmjs.org', 'domain=registry.npmjs.org'],
  ['proxy.golang.org', 'domain=proxy.golang.org'],
  ['pypi.org', 'domain=pypi.org'],
  ['files.pythonhosted.org', 'domain=*.pythonhosted.org'],
  ['objects.githubusercontent.com', 'domain=*.githubusercontent.com'],
  ['pastebin.com', null],
  ['exfil.example.net', null],
  ['169.254.169.254', null],
];
const PATHS = ['/repos/coder/coder/pulls?state=open', '/', '/@types%2fnode', ':443/github.com/lib/pq/@v/list', '/simple/requests/', '/latest/meta-data/iam#creds'];

/** Providers as an admin configured them: one disabled, one soft-deleted. */
const PROVIDERS: [string, string, string, string | null, string, boolean, boolean][] = [
  ['0a000000-0000-4000-8000-000000000001', 'anthropic', 'anthropic', 'Anthropic', 'https://api.anthropic.com', true, false],
  ['0a000000-0000-4000-8000-000000000002', 'openai', 'openai', 'OpenAI', 'https://api.openai.com/v1', true, false],
  ['0a000000-0000-4000-8000-000000000003', 'copilot', 'copilot-business', 'GitHub Copilot Business', 'https://api.business.githubcopilot.com', true, false],
  ['0a000000-0000-4000-8000-000000000004', 'openai-compat', 'vllm-staging', null, 'https://vllm.internal.example.com/v1', false, false],
  ['0a000000-0000-4000-8000-000000000005', 'google', 'gemini-trial', 'Gemini (trial)', 'https://generativelanguage.googleapis.com', true, true],
];

/**
 * Coder's price table as an admin keeps it (provider TYPE, model; micro-USD per million tokens:
 * input, output, cache read, cache write; null = unknown). Over the demo data this shows each
 * layer of the price book (src/prices/resolve.ts): copilot/claude-sonnet-4-5 is priced by Coder's
 * table alone (the package does not know Copilot's Claude); openai/gpt-4.1 at a negotiated rate
 * below the package's list price, which Coder's table wins over; anthropic/claude-sonnet-4-5 and
 * openai/gpt-5 at list price, the latter overridden by the gateway from the pricing seed's price
 * change on. OpenAI lists no cache-write price; the demo's rows have cache writes anyway, so they
 * cost the input price (as the package prices them) rather than being unpriced.
 */
export const CODER_MODEL_PRICES: [string, string, number, number, number, number][] = [
  ['copilot', 'claude-sonnet-4-5', 3_000_000, 15_000_000, 300_000, 3_750_000],
  ['openai', 'gpt-4.1', 1_600_000, 6_400_000, 400_000, 1_600_000],
  ['anthropic', 'claude-sonnet-4-5', 3_000_000, 15_000_000, 300_000, 3_750_000],
  ['openai', 'gpt-5', 1_250_000, 10_000_000, 125_000, 1_250_000],
];

const values = <T extends unknown[]>(rows: T[], row: (r: T) => SqlFragment) => sql.join(rows.map(row), sql`, `);

export async function seedCurrentParts(db: Queryable, caps: Capabilities, salt = '42'): Promise<void> {
  if (caps.providers) {
    await db.query(named('seed.providers')`
      INSERT INTO ai_providers (id, type, name, display_name, base_url, enabled, deleted, icon, settings)
      VALUES ${values(PROVIDERS, ([id, type, name, display, url, enabled, deleted]) =>
        sql`(${id}::uuid, ${type}::ai_provider_type, ${name}, ${display}, ${url}, ${enabled}, ${deleted}, ${`/icon/${type}.svg`}, 'demo-encrypted-settings')`)}
      ON CONFLICT DO NOTHING`);
    if (caps.providerId) {
      await db.query(named('seed.interceptionProviders')`
        UPDATE aibridge_interceptions i SET provider_id = p.id FROM ai_providers p
         WHERE p.name = i.provider_name AND NOT p.deleted AND i.provider_id IS NULL`);
    }
  }

  if (caps.modelPrices) {
    // An admin's prices are theirs: existing rows are kept.
    await db.query(named('seed.coderModelPrices')`
      INSERT INTO ai_model_prices (provider, model, input_price, output_price, cache_read_price, cache_write_price)
      VALUES ${values(CODER_MODEL_PRICES, ([provider, model, ...prices]) =>
        sql`(${provider}, ${model}, ${sql.join(prices.map((p) => sql`${p}::bigint`), sql`, `)})`)}
      ON CONFLICT DO NOTHING`);
  }

  if (caps.interceptionErrors) {
    // About one completed request in 25 failed upstream; the type and message follow from its id.
    const types = ERROR_MESSAGES.map(([t]) => t);
    const messages = ERROR_MESSAGES.map(([, m]) => m);
    await db.query(named('seed.errors')`
      UPDATE aibridge_interceptions i
         SET error_type = (${types}::text[])[1 + ${h(sql`i.id`, `${salt}:type`)} % ${types.length}]::aibridge_interception_error_type,
             error_message = (${messages}::text[])[1 + ${h(sql`i.id`, `${salt}:type`)} % ${messages.length}]
       WHERE i.ended_at IS NOT NULL AND i.error_type IS NULL AND ${h(sql`i.id`, `${salt}:failed`)} % 25 = 0`);
  }

  if (caps.firewallColumns && caps.boundaryLogs) {
    // Two client sessions in five ran inside the Agent Firewall: each its own firewall session,
    // its requests ten sequence numbers apart, their network events in between.
    await db.query(named('seed.firewallPositions')`
      WITH chosen AS (
        SELECT i.id, md5(${salt} || ':fw:' || i.initiator_id || ':' || i.session_id)::uuid AS fw,
               (10 * row_number() OVER (PARTITION BY i.initiator_id, i.session_id ORDER BY i.started_at, i.id))::int AS seq
          FROM aibridge_interceptions i
         WHERE i.client_session_id IS NOT NULL AND ${h(sql`i.session_id`, `${salt}:fw`)} % 5 < 2
      )
      UPDATE aibridge_interceptions i SET agent_firewall_session_id = c.fw, agent_firewall_sequence_number = c.seq
        FROM chosen c WHERE c.id = i.id AND i.agent_firewall_session_id IS NULL`);
    await db.query(named('seed.firewallSessions')`
      INSERT INTO boundary_sessions (id, workspace_agent_id, confined_process_name, started_at, updated_at, owner_id)
      SELECT i.agent_firewall_session_id, md5(${salt} || ':agent:' || i.initiator_id)::uuid,
             CASE WHEN min(i.client) = 'Codex' THEN 'codex' ELSE 'claude' END,
             min(i.started_at), max(COALESCE(i.ended_at, i.started_at)), i.initiator_id
        FROM aibridge_interceptions i WHERE i.agent_firewall_session_id IS NOT NULL
       GROUP BY i.agent_firewall_session_id, i.initiator_id
      ON CONFLICT DO NOTHING`);
    const hosts = HOSTS.map(([host]) => host);
    const rules = HOSTS.map(([, rule]) => rule);
    const pick = h(sql`i.id || ':' || n`, `${salt}:host`);
    await db.query(named('seed.firewallLogs')`
      INSERT INTO boundary_logs (id, session_id, sequence_number, captured_at, created_at, proto, method, detail, matched_rule, owner_id)
      SELECT md5(${salt} || ':log:' || i.id || ':' || n)::uuid, i.agent_firewall_session_id, i.agent_firewall_sequence_number + n,
             i.started_at + (i.ended_at - i.started_at) * n / 8.0, i.started_at + (i.ended_at - i.started_at) * n / 8.0 + interval '40 milliseconds',
             CASE WHEN ${pick} % 4 = 0 THEN 'dns' ELSE 'http' END,
             CASE WHEN ${pick} % 4 = 0 THEN 'A' ELSE (ARRAY['GET', 'GET', 'POST', 'PUT'])[1 + ${pick} % 4] END,
             CASE WHEN ${pick} % 4 = 0 THEN (${hosts}::text[])[1 + ${pick} % ${hosts.length}]
                  ELSE 'https://' || (${hosts}::text[])[1 + ${pick} % ${hosts.length}] || (${PATHS}::text[])[1 + ${pick} % ${PATHS.length}] END,
             (${rules}::text[])[1 + ${pick} % ${hosts.length}],
             i.initiator_id
        FROM aibridge_interceptions i CROSS JOIN LATERAL generate_series(1, ${h(sql`i.id`, `${salt}:calls`)} % 7) AS n
       WHERE i.agent_firewall_session_id IS NOT NULL AND i.ended_at IS NOT NULL
      ON CONFLICT DO NOTHING`);
  }

  if (caps.annotations) {
    await db.query(named('seed.annotations')`
      UPDATE aibridge_interceptions i
         SET annotations = jsonb_build_object(
               'repos', jsonb_build_array((ARRAY['coder/coder', 'coder/aibridge', 'acme/billing'])[1 + ${h(sql`i.session_id`, `${salt}:repo`)} % 3]),
               'branches', jsonb_build_array((ARRAY['main', 'fix/auth-midnight', 'feat/keyset'])[1 + ${h(sql`i.session_id`, `${salt}:branch`)} % 3]))
       WHERE i.client_session_id IS NOT NULL AND i.annotations = '{}'::jsonb AND ${h(sql`i.session_id`, `${salt}:annotated`)} % 3 = 0`);
  }

  if (caps.workspaceId) {
    await db.query(named('seed.workspaces')`
      UPDATE aibridge_interceptions i SET workspace_id = md5(${salt} || ':ws:' || i.initiator_id || ':' || ${h(sql`i.session_id`, `${salt}:ws`)} % 3)::uuid
       WHERE i.workspace_id IS NULL AND ${h(sql`i.session_id`, `${salt}:inws`)} % 2 = 0`);
  }
}
