import { named, type Statement } from '../src/db/sql.ts';
import { expect, it } from 'vitest';
import { describeEachGeneration, type SchemaGeneration } from './support/databases.ts';

/**
 * The migrated catalog against Coder's DDL as SPEC section 2 states it, written out by hand here
 * (not read from the migration), so drift on either side is caught.
 * Columns: name type nullability [default] [generated expression].
 */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  aibridge_interceptions: [
    'id uuid NOT NULL',
    'initiator_id uuid NOT NULL',
    'provider text NOT NULL',
    "provider_name text NOT NULL DEFAULT ''::text",
    'model text NOT NULL',
    'started_at timestamptz NOT NULL',
    'ended_at timestamptz NULL',
    'metadata jsonb NULL',
    'api_key_id text NULL',
    "client varchar(64) NULL DEFAULT 'Unknown'::character varying",
    'thread_parent_id uuid NULL',
    'thread_root_id uuid NULL',
    'client_session_id varchar(256) NULL',
    // As PostgreSQL deparses COALESCE(client_session_id, thread_root_id::text, id::text) over a varchar column.
    'session_id text NOT NULL GENERATED COALESCE(client_session_id, ((thread_root_id)::text)::character varying, ((id)::text)::character varying)',
    "credential_kind credential_kind NOT NULL DEFAULT 'centralized'::credential_kind",
    "credential_hint varchar(15) NOT NULL DEFAULT ''::character varying",
  ],
  aibridge_token_usages: [
    'id uuid NOT NULL',
    'interception_id uuid NOT NULL',
    'provider_response_id text NOT NULL',
    'input_tokens int8 NOT NULL',
    'output_tokens int8 NOT NULL',
    'metadata jsonb NULL',
    'created_at timestamptz NOT NULL',
    'cache_read_input_tokens int8 NOT NULL DEFAULT 0',
    'cache_write_input_tokens int8 NOT NULL DEFAULT 0',
  ],
  aibridge_tool_usages: [
    'id uuid NOT NULL',
    'interception_id uuid NOT NULL',
    'provider_response_id text NOT NULL',
    'provider_tool_call_id text NULL',
    'provider_item_id text NULL',
    'tool text NOT NULL',
    'server_url text NULL',
    'input text NOT NULL',
    'injected bool NOT NULL DEFAULT false',
    'invocation_error text NULL',
    'metadata jsonb NULL',
    'created_at timestamptz NOT NULL',
  ],
  aibridge_user_prompts: [
    'id uuid NOT NULL',
    'interception_id uuid NOT NULL',
    'provider_response_id text NOT NULL',
    'prompt text NOT NULL',
    'metadata jsonb NULL',
    'created_at timestamptz NOT NULL',
  ],
  aibridge_model_thoughts: [
    'interception_id uuid NOT NULL',
    'content text NOT NULL',
    'metadata jsonb NULL',
    'created_at timestamptz NOT NULL',
  ],
};

/** Index definitions as pg_get_indexdef prints them, per table (primary keys included). */
const EXPECTED_INDEXES: Record<string, string[]> = {
  aibridge_interceptions: [
    'USING btree (client)',
    'USING btree (client_session_id) WHERE (client_session_id IS NOT NULL)',
    'USING btree (id)',
    'USING btree (initiator_id)',
    'USING btree (initiator_id, started_at DESC, id DESC) WHERE (ended_at IS NOT NULL)',
    'USING btree (model)',
    'USING btree (provider)',
    'USING btree (session_id) WHERE (ended_at IS NOT NULL)',
    'USING btree (started_at DESC, id DESC)',
    'USING btree (thread_parent_id)',
    'USING btree (thread_root_id)',
  ],
  aibridge_token_usages: ['USING btree (id)', 'USING btree (interception_id)', 'USING btree (provider_response_id)'],
  aibridge_tool_usages: ['USING btree (id)', 'USING btree (interception_id)', 'USING btree (provider_response_id)', 'USING btree (provider_tool_call_id)'],
  aibridge_user_prompts: ['USING btree (id)', 'USING btree (interception_id, created_at DESC, id DESC)', 'USING btree (provider_response_id)'],
  aibridge_model_thoughts: ['USING btree (interception_id)'],
};

/**
 * What the current generation adds (coder-current.sql, written out again by hand): columns after
 * the seed-era ones, new tables, new indexes.
 */
const CURRENT_EXTRA_COLUMNS: Record<string, string[]> = {
  aibridge_interceptions: [
    'agent_firewall_session_id uuid NULL',
    'agent_firewall_sequence_number int4 NULL',
    'error_type aibridge_interception_error_type NULL',
    'error_message varchar(1024) NULL',
    "annotations jsonb NOT NULL DEFAULT '{}'::jsonb",
    'provider_id uuid NULL',
    'workspace_id uuid NULL',
  ],
  aibridge_token_usages: [
    'effective_group_id uuid NULL',
    'input_price_micros int8 NULL',
    'output_price_micros int8 NULL',
    'cache_read_price_micros int8 NULL',
    'cache_write_price_micros int8 NULL',
    'cost_micros int8 NULL',
  ],
};

const CURRENT_TABLES: Record<string, string[]> = {
  ai_providers: [
    'id uuid NOT NULL DEFAULT gen_random_uuid()',
    'type ai_provider_type NOT NULL',
    'name text NOT NULL',
    'display_name text NULL',
    'enabled bool NOT NULL DEFAULT true',
    'deleted bool NOT NULL DEFAULT false',
    'base_url text NOT NULL',
    'settings text NULL',
    'settings_key_id text NULL',
    'created_at timestamptz NOT NULL DEFAULT now()',
    'updated_at timestamptz NOT NULL DEFAULT now()',
    "icon text NOT NULL DEFAULT ''::text",
  ],
  ai_provider_keys: [
    'id uuid NOT NULL DEFAULT gen_random_uuid()',
    'provider_id uuid NOT NULL',
    'api_key text NOT NULL',
    'api_key_key_id text NULL',
    'created_at timestamptz NOT NULL DEFAULT now()',
    'updated_at timestamptz NOT NULL DEFAULT now()',
  ],
  boundary_sessions: [
    'id uuid NOT NULL',
    'workspace_agent_id uuid NOT NULL',
    'confined_process_name text NOT NULL',
    'started_at timestamptz NOT NULL',
    'updated_at timestamptz NOT NULL',
    'owner_id uuid NULL',
  ],
  boundary_logs: [
    'id uuid NOT NULL',
    'session_id uuid NOT NULL',
    'sequence_number int4 NOT NULL',
    'captured_at timestamptz NOT NULL',
    'created_at timestamptz NOT NULL',
    "proto text NOT NULL DEFAULT ''::text",
    "method text NOT NULL DEFAULT ''::text",
    "detail text NOT NULL DEFAULT ''::text",
    'matched_rule text NULL',
    'owner_id uuid NULL',
  ],
  ai_model_prices: [
    'provider text NOT NULL',
    'model text NOT NULL',
    'input_price int8 NULL',
    'output_price int8 NULL',
    'cache_read_price int8 NULL',
    'cache_write_price int8 NULL',
    'created_at timestamptz NOT NULL DEFAULT now()',
    'updated_at timestamptz NOT NULL DEFAULT now()',
  ],
  ai_user_daily_spend: ['user_id uuid NOT NULL', 'effective_group_id uuid NOT NULL', 'day date NOT NULL', 'spend_micros int8 NOT NULL'],
};

const CURRENT_EXTRA_INDEXES: Record<string, string[]> = {
  aibridge_interceptions: [
    'USING btree (agent_firewall_session_id, agent_firewall_sequence_number) WHERE (agent_firewall_session_id IS NOT NULL)',
    'USING btree (provider_id)',
  ],
  boundary_logs: ['USING btree (captured_at)', 'USING btree (id)', 'USING btree (session_id, sequence_number) INCLUDE (matched_rule)'],
  ai_providers: ['USING btree (id)', 'USING btree (name) WHERE (deleted = false)', 'USING btree (enabled) WHERE (deleted = false)'],
};

/** The columns, indexes and tables a generation has. */
function expectedFor(g: SchemaGeneration) {
  const extra = (m: Record<string, string[]>, table: string) => (g === 'current' ? (m[table] ?? []) : []);
  const tables = Object.keys(EXPECTED_COLUMNS).concat(g === 'current' ? Object.keys(CURRENT_TABLES) : []);
  return {
    columns: Object.fromEntries(tables.map((t) => [t, [...(EXPECTED_COLUMNS[t] ?? CURRENT_TABLES[t]), ...extra(CURRENT_EXTRA_COLUMNS, t)]])),
    indexes: Object.fromEntries([...new Set([...Object.keys(EXPECTED_INDEXES), ...(g === 'current' ? Object.keys(CURRENT_EXTRA_INDEXES) : [])])]
      .map((t) => [t, [...(EXPECTED_INDEXES[t] ?? []), ...extra(CURRENT_EXTRA_INDEXES, t)]])),
  };
}

const USERS_COLUMNS = [
  'id uuid NOT NULL',
  'email text NOT NULL',
  "username text NOT NULL DEFAULT ''::text",
  "name text NOT NULL DEFAULT ''::text",
  "avatar_url text NOT NULL DEFAULT ''::text",
  "rbac_roles _text NOT NULL DEFAULT '{}'::text[]",
  "status user_status NOT NULL DEFAULT 'dormant'::user_status",
  'deleted bool NOT NULL DEFAULT false',
];

interface ColumnRow {
  table_name: string;
  column_name: string;
  udt_name: string;
  character_maximum_length: number | null;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  generation_expression: string | null;
}

async function describeColumns(query: (s: Statement) => Promise<ColumnRow[]>) {
  const rows = await query(named('test')`
    SELECT table_name, column_name, udt_name, character_maximum_length, is_nullable, column_default, generation_expression
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
  const out: Record<string, string[]> = {};
  for (const r of rows) {
    const type = r.udt_name === 'varchar' && r.character_maximum_length ? `varchar(${r.character_maximum_length})` : r.udt_name;
    const parts = [r.column_name, type, r.is_nullable === 'NO' ? 'NOT NULL' : 'NULL'];
    if (r.column_default !== null) parts.push(`DEFAULT ${r.column_default}`);
    if (r.generation_expression) parts.push(`GENERATED ${r.generation_expression}`);
    (out[r.table_name] ??= []).push(parts.join(' '));
  }
  return out;
}

describeEachGeneration('migrated schema mirrors Coder', (ctx, generation) => {
  const expected = expectedFor(generation);

  it('has the AI Bridge tables with Coder column types, nullability, defaults and the generated session_id', async () => {
    const columns = await describeColumns((s) => ctx().db.query<ColumnRow>(s));
    for (const [table, cols] of Object.entries(expected.columns)) {
      expect(columns[table], table).toEqual(cols);
    }
    // The seed era has none of the newer tables.
    for (const table of Object.keys(CURRENT_TABLES)) expect(table in columns, table).toBe(generation === 'current');
  });

  it('has the users columns the gateway reads', async () => {
    const columns = await describeColumns((s) => ctx().db.query<ColumnRow>(s));
    expect(columns.users.slice(0, USERS_COLUMNS.length)).toEqual(USERS_COLUMNS);
  });

  it('has Coder indexes, partial and DESC ones included', async () => {
    const rows = await ctx().db.query<{ tablename: string; indexdef: string }>(named('test')`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'`);
    const byTable: Record<string, string[]> = {};
    for (const r of rows) (byTable[r.tablename] ??= []).push(r.indexdef.replace(/^.* ON public\.\w+ /, ''));
    for (const [table, indexes] of Object.entries(expected.indexes)) {
      expect([...(byTable[table] ?? [])].sort(), table).toEqual(expect.arrayContaining([...indexes].sort()));
      // Indexes beyond Coder's must be deliberate: each one is listed in the migration that adds it.
      expect(byTable[table].length, `${table} index count`).toBeGreaterThanOrEqual(indexes.length);
    }
  });

  it('has no primary key on aibridge_model_thoughts and no foreign key from children to interceptions', async () => {
    const rows = await ctx().db.query<{ conname: string; table: string; contype: string; target: string | null }>(named('test')`
      SELECT conname, conrelid::regclass::text AS table, contype::text, NULLIF(confrelid, 0)::regclass::text AS target FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text LIKE 'aibridge_%' AND contype IN ('p', 'u', 'f')`);
    expect(rows.filter((r) => r.table === 'aibridge_model_thoughts')).toEqual([]);
    expect(rows.filter((r) => r.target === 'aibridge_interceptions')).toEqual([]);
    // The current generation's only foreign key from these tables: the provider an interception used.
    expect(rows.filter((r) => r.contype === 'f').map((r) => `${r.conname} -> ${r.target}`)).toEqual(
      generation === 'current' ? ['aibridge_interceptions_provider_id_fkey -> ai_providers'] : [],
    );
  });

  it('has the error type enum and the firewall, provider and spend foreign keys only to tables it has', async () => {
    const enums = await ctx().db.query<{ typname: string; labels: string[] }>(named('test')`
      SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       WHERE t.typname = 'aibridge_interception_error_type' GROUP BY t.typname`);
    expect(enums).toEqual(
      generation === 'current'
        ? [{ typname: 'aibridge_interception_error_type', labels: ['bad_request', 'unauthorized', 'rate_limited', 'overloaded', 'server_error', 'timeout', 'unknown'] }]
        : [],
    );
    const fks = await ctx().db.query<{ name: string }>(named('test')`
      SELECT conrelid::regclass::text || ' -> ' || confrelid::regclass::text AS name FROM pg_constraint
       WHERE connamespace = 'public'::regnamespace AND contype = 'f' AND conrelid::regclass::text IN ('boundary_logs', 'boundary_sessions', 'ai_provider_keys', 'ai_user_daily_spend', 'ai_model_prices')
       ORDER BY 1`);
    expect(fks.map((r) => r.name)).toEqual(
      generation === 'current' ? ['ai_provider_keys -> ai_providers', 'boundary_logs -> users', 'boundary_sessions -> users'] : [],
    );
  });

  it('computes session_id as COALESCE(client_session_id, thread_root_id, id) and refuses writes to it', async () => {
    const { db } = ctx();
    const [u] = await db.query<{ id: string }>(named('test')`INSERT INTO users (id, email, username) VALUES (gen_random_uuid(), 'x@example.com', 'schema-x') RETURNING id`);
    const rows = await db.query<{ session_id: string; id: string; client_session_id: string | null; thread_root_id: string | null }>(named('test')`INSERT INTO aibridge_interceptions (id, initiator_id, provider, model, started_at, client_session_id, thread_root_id) VALUES
         (gen_random_uuid(), ${u.id}, 'openai', 'gpt-5', now(), 'client-key', gen_random_uuid()),
         (gen_random_uuid(), ${u.id}, 'openai', 'gpt-5', now(), NULL, '11111111-1111-4111-8111-111111111111'),
         (gen_random_uuid(), ${u.id}, 'openai', 'gpt-5', now(), NULL, NULL)
       RETURNING id, session_id, client_session_id, thread_root_id`);
    expect(rows.map((r) => r.session_id)).toEqual(['client-key', '11111111-1111-4111-8111-111111111111', rows[2].id]);
    await expect(db.query(named('test')`UPDATE aibridge_interceptions SET session_id = 'x'`)).rejects.toThrow(/generated|can only be updated to DEFAULT/i);
    await db.query(named('test')`DELETE FROM aibridge_interceptions`);
  });
});
