// PostGraphile 5 (the benchmark peer) over the bench database: the amber preset, the public
// schema, and smart tags declaring the relations Coder's tables have no foreign keys for
// (children → interception, interception → initiator), so the W4 nested read exists there too.
// DATABASE_URL and PEER_PORT come from bench/run.ts.
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { jsonPgSmartTags } from 'postgraphile/utils';

const child = { tags: { foreignKey: '(interception_id) references aibridge_interceptions (id)' } };

export default {
  extends: [PostGraphileAmberPreset],
  plugins: [
    jsonPgSmartTags({
      version: 1,
      config: {
        class: {
          aibridge_interceptions: { tags: { foreignKey: '(initiator_id) references users (id)' } },
          aibridge_token_usages: child,
          aibridge_tool_usages: child,
          aibridge_user_prompts: child,
          aibridge_model_thoughts: child,
          // Not part of the comparison; keeps hashed secrets out of the peer's schema.
          api_keys: { tags: { omit: true } },
        },
      },
    }),
  ],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ['public'],
      // The gateway's pool size (DB_POOL_SIZE default), for a like-for-like comparison.
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { port: Number(process.env.PEER_PORT ?? 5678), host: '127.0.0.1' },
  grafast: { explain: false },
};
