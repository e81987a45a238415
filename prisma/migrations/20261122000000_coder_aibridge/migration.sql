-- Coder's AI Bridge tables, users and api_keys, as Coder's own migrations leave them (the columns
-- this gateway reads). Written by hand: Prisma's schema language cannot express the generated
-- session_id column or the partial and DESC indexes. Never run against a Coder database.

CREATE TYPE credential_kind AS ENUM ('centralized', 'byok');
CREATE TYPE user_status AS ENUM ('active', 'suspended', 'dormant');
CREATE TYPE login_type AS ENUM ('password', 'github', 'oidc', 'token', 'none');

CREATE TABLE users (
    id uuid NOT NULL PRIMARY KEY,
    email text NOT NULL,
    username text NOT NULL DEFAULT ''::text,
    name text NOT NULL DEFAULT ''::text,
    avatar_url text NOT NULL DEFAULT ''::text,
    rbac_roles text[] NOT NULL DEFAULT '{}'::text[],
    status user_status NOT NULL DEFAULT 'dormant'::user_status,
    deleted boolean NOT NULL DEFAULT false,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    updated_at timestamp with time zone NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_lower_idx ON users USING btree (lower(username)) WHERE (deleted = false);

CREATE TABLE api_keys (
    id text NOT NULL PRIMARY KEY,
    hashed_secret bytea NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    last_used timestamp with time zone NOT NULL DEFAULT now(),
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    updated_at timestamp with time zone NOT NULL DEFAULT now(),
    login_type login_type NOT NULL DEFAULT 'token'::login_type,
    lifetime_seconds bigint NOT NULL DEFAULT 86400,
    scopes text[] NOT NULL DEFAULT '{coder:all}'::text[],
    token_name text NOT NULL DEFAULT ''::text
);
CREATE INDEX idx_api_keys_user ON api_keys USING btree (user_id);

CREATE TABLE aibridge_interceptions (
    id uuid NOT NULL PRIMARY KEY,
    initiator_id uuid NOT NULL,
    provider text NOT NULL,
    provider_name text NOT NULL DEFAULT ''::text,
    model text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    metadata jsonb,
    api_key_id text,
    client character varying(64) DEFAULT 'Unknown'::character varying,
    thread_parent_id uuid,
    thread_root_id uuid,
    client_session_id character varying(256),
    session_id text NOT NULL GENERATED ALWAYS AS (COALESCE(client_session_id, (thread_root_id)::text, (id)::text)) STORED,
    credential_kind credential_kind NOT NULL DEFAULT 'centralized'::credential_kind,
    credential_hint character varying(15) NOT NULL DEFAULT ''::character varying
);
CREATE INDEX idx_aibridge_interceptions_client ON aibridge_interceptions USING btree (client);
CREATE INDEX idx_aibridge_interceptions_client_session_id ON aibridge_interceptions USING btree (client_session_id) WHERE (client_session_id IS NOT NULL);
CREATE INDEX idx_aibridge_interceptions_initiator_id ON aibridge_interceptions USING btree (initiator_id);
CREATE INDEX idx_aibridge_interceptions_model ON aibridge_interceptions USING btree (model);
CREATE INDEX idx_aibridge_interceptions_provider ON aibridge_interceptions USING btree (provider);
CREATE INDEX idx_aibridge_interceptions_session_id ON aibridge_interceptions USING btree (session_id) WHERE (ended_at IS NOT NULL);
CREATE INDEX idx_aibridge_interceptions_sessions_filter ON aibridge_interceptions USING btree (initiator_id, started_at DESC, id DESC) WHERE (ended_at IS NOT NULL);
CREATE INDEX idx_aibridge_interceptions_started_id_desc ON aibridge_interceptions USING btree (started_at DESC, id DESC);
CREATE INDEX idx_aibridge_interceptions_thread_parent_id ON aibridge_interceptions USING btree (thread_parent_id);
CREATE INDEX idx_aibridge_interceptions_thread_root_id ON aibridge_interceptions USING btree (thread_root_id);

CREATE TABLE aibridge_token_usages (
    id uuid NOT NULL PRIMARY KEY,
    interception_id uuid NOT NULL,
    provider_response_id text NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    metadata jsonb,
    created_at timestamp with time zone NOT NULL,
    cache_read_input_tokens bigint NOT NULL DEFAULT 0,
    cache_write_input_tokens bigint NOT NULL DEFAULT 0
);
CREATE INDEX idx_aibridge_token_usages_interception_id ON aibridge_token_usages USING btree (interception_id);
CREATE INDEX idx_aibridge_token_usages_provider_response_id ON aibridge_token_usages USING btree (provider_response_id);

CREATE TABLE aibridge_tool_usages (
    id uuid NOT NULL PRIMARY KEY,
    interception_id uuid NOT NULL,
    provider_response_id text NOT NULL,
    provider_tool_call_id text,
    provider_item_id text,
    tool text NOT NULL,
    server_url text,
    input text NOT NULL,
    injected boolean NOT NULL DEFAULT false,
    invocation_error text,
    metadata jsonb,
    created_at timestamp with time zone NOT NULL
);
CREATE INDEX idx_aibridge_tool_usages_interception_id ON aibridge_tool_usages USING btree (interception_id);
CREATE INDEX idx_aibridge_tool_usages_provider_tool_call_id ON aibridge_tool_usages USING btree (provider_tool_call_id);
CREATE INDEX idx_aibridge_tool_usages_provider_response_id ON aibridge_tool_usages USING btree (provider_response_id);

CREATE TABLE aibridge_user_prompts (
    id uuid NOT NULL PRIMARY KEY,
    interception_id uuid NOT NULL,
    provider_response_id text NOT NULL,
    prompt text NOT NULL,
    metadata jsonb,
    created_at timestamp with time zone NOT NULL
);
CREATE INDEX idx_aibridge_user_prompts_interception_created ON aibridge_user_prompts USING btree (interception_id, created_at DESC, id DESC);
CREATE INDEX idx_aibridge_user_prompts_provider_response_id ON aibridge_user_prompts USING btree (provider_response_id);

CREATE TABLE aibridge_model_thoughts (
    interception_id uuid NOT NULL,
    content text NOT NULL,
    metadata jsonb,
    created_at timestamp with time zone NOT NULL
);
CREATE INDEX idx_aibridge_model_thoughts_interception_id ON aibridge_model_thoughts USING btree (interception_id);
