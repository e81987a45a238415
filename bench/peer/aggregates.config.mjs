// PostGraphile 5 with @graphile/pg-aggregates (the usage peer, bench/usage.ts): the same amber
// preset and smart tags as graphile.config.mjs, plus the aggregates preset (aggregates,
// groupedAggregates with date truncation) over the untouched schema. DATABASE_URL and PEER_PORT
// come from the bench.
import { PgAggregatesPreset } from '@graphile/pg-aggregates';
import base from './graphile.config.mjs';

export default { ...base, extends: [...base.extends, PgAggregatesPreset] };
