-- The gateway's own data, not Coder's: admin price overrides for cost figures (src/prices).
-- Prices are micro-USD per million tokens, as in Coder's ai_model_prices and price file; NULL means
-- unknown (a request with such tokens is counted as unpriced). A price holds from effective_from
-- until the same model's next row. created_by names a user without a foreign key: with
-- READ_ONLY=1 this table lives in a separate state database that has no users table.
CREATE TABLE gateway_model_prices (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider text NOT NULL,
    model text NOT NULL,
    effective_from timestamp with time zone NOT NULL,
    input_price bigint CHECK (input_price >= 0),
    output_price bigint CHECK (output_price >= 0),
    cache_read_price bigint CHECK (cache_read_price >= 0),
    cache_write_price bigint CHECK (cache_write_price >= 0),
    note text NOT NULL DEFAULT '',
    created_by uuid,
    created_at timestamp with time zone NOT NULL DEFAULT now()
);

-- One price per model and start; setting it again replaces it.
CREATE UNIQUE INDEX gateway_model_prices_model_from ON gateway_model_prices USING btree (provider, model, effective_from);
