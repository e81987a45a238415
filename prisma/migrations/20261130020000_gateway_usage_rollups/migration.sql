-- The gateway's own data, not Coder's: roll-ups of closed usage periods (src/rollups). One row per
-- UTC hour and finest key: initiator, session, model, provider, provider name, client (NULL
-- folded into 'Unknown') and credential kind. Keeping the session and the initiator in the key
-- makes distinct sessions and users exact over any union of rows; keeping every completed
-- interception's duration (durations_us, whole microseconds, from which the live percentile
-- derives the float8 it sorts) makes the percentiles exact. Amounts are integer micro-dollars priced with the price book whose
-- fingerprint gateway_usage_rollup_prices holds; a changed price re-prices the rows (or the
-- query answers live until then). No foreign keys: with READ_ONLY=1 these tables live in a
-- separate state database.
CREATE TABLE gateway_usage_rollups (
    period timestamp with time zone NOT NULL,
    initiator_id uuid NOT NULL,
    session_id text NOT NULL,
    model text NOT NULL,
    provider text NOT NULL,
    provider_name text NOT NULL,
    client text NOT NULL,
    credential_kind text NOT NULL,
    requests integer NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cache_read_tokens bigint NOT NULL,
    cache_write_tokens bigint NOT NULL,
    cost_total bigint NOT NULL,
    cost_input bigint NOT NULL,
    cost_output bigint NOT NULL,
    cost_cache_read bigint NOT NULL,
    cost_cache_write bigint NOT NULL,
    cost_saved bigint NOT NULL,
    unpriced_requests integer NOT NULL,
    unpriced_tokens bigint NOT NULL,
    recorded_rows integer NOT NULL,
    book_rows integer NOT NULL,
    tool_calls integer NOT NULL,
    injected_tool_calls integer NOT NULL,
    tool_errors integer NOT NULL,
    durations_us bigint[] NOT NULL,
    PRIMARY KEY (period, initiator_id, session_id, model, provider, provider_name, client, credential_kind)
);

-- Every UTC hour from the first rolled one to the refresh edge: 'closed' (its rows above are
-- final) or 'open' (an interception was in flight at the last refresh: answered live). The
-- counts are what the refresh saw, to notice late changes and Coder's retention deleting rows
-- (then `purged`: the rows above are kept and answers say so).
CREATE TABLE gateway_usage_rollup_periods (
    period timestamp with time zone PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('closed', 'open')),
    interceptions integer NOT NULL,
    token_usages integer NOT NULL,
    tool_usages integer NOT NULL,
    purged boolean NOT NULL DEFAULT false,
    rolled_at timestamp with time zone NOT NULL DEFAULT now()
);

-- The price book each model's retained roll-up rows were priced with (a fingerprint of its price
-- periods). A query whose models' current fingerprint differs answers live until the refresher
-- has re-priced them.
CREATE TABLE gateway_usage_rollup_prices (
    provider text NOT NULL,
    model text NOT NULL,
    price_key text NOT NULL,
    PRIMARY KEY (provider, model)
);
