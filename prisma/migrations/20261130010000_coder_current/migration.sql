-- Brings the schema to what a current Coder database holds (Coder's "AI Gateway" generation):
-- upstream error types, Agent Firewall sessions and network logs, per-row cost and price
-- snapshots, Coder's price table and daily spend roll-up, configured providers, annotations.
-- Foreign keys only to tables this project has (users, ai_providers); the ones Coder has to
-- dbcrypt_keys and workspace_agents are left out. The gateway detects each of these parts at
-- start (src/db/capabilities.ts), so it also serves databases that lack them.

-- ---------------------------------------------------------------------------------------------
-- Enums

CREATE TYPE aibridge_interception_error_type AS ENUM (
    'bad_request',
    'unauthorized',
    'rate_limited',
    'overloaded',
    'server_error',
    'timeout',
    'unknown'
);

-- Values in migration order. The relative order of the last two is not known, and it only
-- affects enum sort order.
CREATE TYPE ai_provider_type AS ENUM (
    'openai',
    'anthropic',
    'azure',
    'bedrock',
    'google',
    'openai-compat',
    'openrouter',
    'vercel',
    'copilot',
    'bedrock-mantle',
    'claude-platform-aws'
);

-- ---------------------------------------------------------------------------------------------
-- AI providers (/api/v2/ai/providers reads these)

-- Final shape. settings and settings_key_id hold dbcrypt-encrypted JSON. In Coder,
-- settings_key_id references dbcrypt_keys(active_key_digest); we have no dbcrypt_keys, so
-- that FK is omitted.
CREATE TABLE ai_providers (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    type ai_provider_type NOT NULL,
    name text NOT NULL,
    display_name text,
    enabled boolean DEFAULT true NOT NULL,
    deleted boolean DEFAULT false NOT NULL,
    base_url text NOT NULL,
    settings text,
    settings_key_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    icon text DEFAULT '' NOT NULL,
    CONSTRAINT ai_providers_pkey PRIMARY KEY (id),
    CONSTRAINT ai_providers_name_check CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);

-- Names are unique among live (not soft-deleted) rows only.
CREATE UNIQUE INDEX ai_providers_name_unique ON ai_providers (name) WHERE deleted = false;
CREATE INDEX idx_ai_providers_enabled ON ai_providers (enabled) WHERE deleted = false;

-- Centralized API keys, one or more per provider (Bedrock and Copilot have none). The FK from
-- api_key_key_id to dbcrypt_keys(active_key_digest) is omitted.
CREATE TABLE ai_provider_keys (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    provider_id uuid NOT NULL,
    api_key text NOT NULL,
    api_key_key_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ai_provider_keys_pkey PRIMARY KEY (id),
    CONSTRAINT ai_provider_keys_provider_id_fkey FOREIGN KEY (provider_id)
        REFERENCES ai_providers (id) ON DELETE CASCADE
);

CREATE INDEX idx_ai_provider_keys_provider_id ON ai_provider_keys (provider_id);

-- ---------------------------------------------------------------------------------------------
-- aibridge_interceptions

ALTER TABLE aibridge_interceptions
    -- Soft reference to boundary_sessions.id. There is deliberately no FK: the interception
    -- may be recorded before the firewall session row exists.
    ADD COLUMN agent_firewall_session_id uuid,
    ADD COLUMN agent_firewall_sequence_number integer,
    -- Both NULL unless the interception failed upstream. They are set when the interception ends.
    ADD COLUMN error_type aibridge_interception_error_type,
    ADD COLUMN error_message character varying(1024),
    -- Server-derived annotations plus client work context (repos, branches, issue ids, PR URLs).
    ADD COLUMN annotations jsonb DEFAULT '{}'::jsonb NOT NULL,
    -- The ai_providers row the request was routed through; NULL for older rows.
    ADD COLUMN provider_id uuid,
    -- No FK: attribution must outlive the workspace. There is deliberately no index.
    ADD COLUMN workspace_id uuid;

ALTER TABLE aibridge_interceptions
    ADD CONSTRAINT aibridge_interceptions_provider_id_fkey FOREIGN KEY (provider_id)
        REFERENCES ai_providers (id) ON DELETE SET NULL;

-- The final index. The session-only idx_aibridge_interceptions_agent_firewall_session_id
-- was created first and later dropped.
CREATE INDEX idx_aibridge_interceptions_agent_firewall_session_seq
    ON aibridge_interceptions (agent_firewall_session_id, agent_firewall_sequence_number)
    WHERE agent_firewall_session_id IS NOT NULL;

CREATE INDEX idx_aibridge_interceptions_provider_id ON aibridge_interceptions (provider_id);

-- ---------------------------------------------------------------------------------------------
-- Agent Firewall ("boundary") sessions and network logs

-- In Coder, workspace_agent_id references workspace_agents(id); we have no workspace_agents,
-- so that FK is omitted. The owner_id FK to users is kept.
CREATE TABLE boundary_sessions (
    id uuid NOT NULL,
    workspace_agent_id uuid NOT NULL,
    confined_process_name text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    owner_id uuid,
    CONSTRAINT boundary_sessions_pkey PRIMARY KEY (id),
    CONSTRAINT boundary_sessions_owner_id_fkey FOREIGN KEY (owner_id)
        REFERENCES users (id) ON DELETE SET NULL
);

-- Coder created boundary_logs_session_id_fkey (to boundary_sessions, ON DELETE CASCADE) and
-- later dropped it so that logs can arrive before their session. It is therefore absent here too.
CREATE TABLE boundary_logs (
    id uuid NOT NULL,
    session_id uuid NOT NULL,
    sequence_number integer NOT NULL,
    captured_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    proto text DEFAULT '' NOT NULL,
    method text DEFAULT '' NOT NULL,
    detail text DEFAULT '' NOT NULL,
    matched_rule text,
    owner_id uuid,
    CONSTRAINT boundary_logs_pkey PRIMARY KEY (id),
    CONSTRAINT boundary_logs_sequence_number_check CHECK (sequence_number >= 0),
    CONSTRAINT boundary_logs_owner_id_fkey FOREIGN KEY (owner_id)
        REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX idx_boundary_logs_captured_at ON boundary_logs (captured_at);
-- Final form of this index, with INCLUDE (matched_rule).
CREATE INDEX idx_boundary_logs_session_seq
    ON boundary_logs (session_id, sequence_number) INCLUDE (matched_rule);

-- ---------------------------------------------------------------------------------------------
-- Pricing and spend

-- Prices per million tokens in micro-units (1 unit = 1,000,000). NULL means unknown and 0
-- means free. provider is the ai_providers.type value, not the provider name.
CREATE TABLE ai_model_prices (
    provider text NOT NULL,
    model text NOT NULL,
    input_price bigint,
    output_price bigint,
    cache_read_price bigint,
    cache_write_price bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ai_model_prices_pkey PRIMARY KEY (provider, model),
    CONSTRAINT ai_model_prices_input_price_check CHECK (input_price >= 0),
    CONSTRAINT ai_model_prices_output_price_check CHECK (output_price >= 0),
    CONSTRAINT ai_model_prices_cache_read_price_check CHECK (cache_read_price >= 0),
    CONSTRAINT ai_model_prices_cache_write_price_check CHECK (cache_write_price >= 0)
);

-- Snapshot taken when the usage is recorded. effective_group_id is deliberately not an FK
-- (this attribution must outlive the group).
ALTER TABLE aibridge_token_usages
    ADD COLUMN effective_group_id uuid,
    ADD COLUMN input_price_micros bigint CHECK (input_price_micros >= 0),
    ADD COLUMN output_price_micros bigint CHECK (output_price_micros >= 0),
    ADD COLUMN cache_read_price_micros bigint CHECK (cache_read_price_micros >= 0),
    ADD COLUMN cache_write_price_micros bigint CHECK (cache_write_price_micros >= 0),
    ADD COLUMN cost_micros bigint CHECK (cost_micros >= 0);

-- One row per user, effective group and UTC day. It has no FKs, by design.
CREATE TABLE ai_user_daily_spend (
    user_id uuid NOT NULL,
    effective_group_id uuid NOT NULL,
    day date NOT NULL,
    spend_micros bigint NOT NULL CHECK (spend_micros >= 0),
    PRIMARY KEY (user_id, effective_group_id, day)
);

CREATE INDEX idx_ai_user_daily_spend_effective_group_id_day
    ON ai_user_daily_spend (effective_group_id, day);
