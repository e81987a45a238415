import { named, type Statement } from '../src/db/sql.ts';
import { expect, it } from 'vitest';
import { describeEachDb } from './support/databases.ts';

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

describeEachDb('migrated schema mirrors Coder', (ctx) => {
  it('has the AI Bridge tables with Coder column types, nullability, defaults and the generated session_id', async () => {
    const columns = await describeColumns((s) => ctx().db.query<ColumnRow>(s));
    for (const [table, expected] of Object.entries(EXPECTED_COLUMNS)) {
      expect(columns[table], table).toEqual(expected);
    }
  });

  it('has the users columns the gateway reads', async () => {
    const columns = await describeColumns((s) => ctx().db.query<ColumnRow>(s));
    expect(columns.users.slice(0, USERS_COLUMNS.length)).toEqual(USERS_COLUMNS);
  });

  it('has Coder indexes, partial and DESC ones included', async () => {
    const rows = await ctx().db.query<{ tablename: string; indexdef: string }>(named('test')`SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 'aibridge_%'`);
    const byTable: Record<string, string[]> = {};
    for (const r of rows) (byTable[r.tablename] ??= []).push(r.indexdef.replace(/^.* ON public\.\w+ /, ''));
    for (const [table, expected] of Object.entries(EXPECTED_INDEXES)) {
      expect([...(byTable[table] ?? [])].sort(), table).toEqual(expect.arrayContaining([...expected].sort()));
      // Indexes beyond Coder's must be deliberate: each one is listed in the migration that adds it.
      expect(byTable[table].length, `${table} index count`).toBeGreaterThanOrEqual(expected.length);
    }
  });

  it('has no primary key on aibridge_model_thoughts and no foreign key from children to interceptions', async () => {
    const rows = await ctx().db.query<{ conname: string; table: string; contype: string }>(named('test')`SELECT conname, conrelid::regclass::text AS table, contype::text FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text LIKE 'aibridge_%' AND contype IN ('p', 'u', 'f')`);
    expect(rows.filter((r) => r.table === 'aibridge_model_thoughts')).toEqual([]);
    expect(rows.filter((r) => r.contype === 'f')).toEqual([]);
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
