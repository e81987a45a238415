-- Indexes Coder's schema lacks, added because the benchmark at 1M interceptions shows the need
-- (bench/results/, EXPLAIN ANALYZE on PostgreSQL 15, 2 cores). Recommended for Coder databases
-- too; read-only mode cannot create them.

-- Sessions are (session_id, initiator_id) groups of completed interceptions. Counting them
-- (`/sessions` count, GraphQL totalCount) and reading one group's members had no index holding
-- both columns: every completed row went through a sort or hash aggregate that spilled to disk
-- (840 ms). With this index the count is an index-only scan feeding a streaming GroupAggregate
-- (133 ms), and group lookups by key become one index range.
CREATE INDEX idx_aibridge_interceptions_session_initiator ON aibridge_interceptions USING btree (session_id, initiator_id) WHERE (ended_at IS NOT NULL);

-- The sessions list starts from the newest prompts (ORDER BY created_at DESC ... OFFSET n LIMIT 1
-- and a created_at range); without an index on created_at that is a parallel sequential scan of
-- every prompt plus an external sort (69 ms); with it, an index scan of the newest few (1.7 ms).
CREATE INDEX idx_aibridge_user_prompts_created ON aibridge_user_prompts USING btree (created_at DESC, id DESC) INCLUDE (interception_id);
