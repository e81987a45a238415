import type { RecordedCost } from '../../domain/token-costs.ts';
import { builder } from '../builder.ts';
import { currentLoaders } from '../current-loaders.ts';
import { TokenUsageRef } from './token-usage.ts';

/**
 * The cost a current Coder recorded with each token usage row, and the prices it used. Null
 * where the row was not priced, and always over a database older than these columns.
 */
const recorded = (key: keyof RecordedCost, description: string) =>
  builder.objectField(TokenUsageRef, key, (t) =>
    t.field({
      type: 'SafeInt',
      nullable: true,
      description,
      resolve: async (u, _args, ctx) => (await currentLoaders(ctx).recordedCosts.load(u.id))[key],
    }),
  );

recorded('costMicros', 'Cost of this row as Coder recorded it, in micro-units (USD × 10⁶); null when not priced.');
recorded('inputPriceMicros', 'Input price when recorded, micro-units per million tokens; null when unpriced.');
recorded('outputPriceMicros', 'Output price when recorded, micro-units per million tokens; null when unpriced.');
recorded('cacheReadPriceMicros', 'Cache read price when recorded, micro-units per million tokens; null when unpriced.');
recorded('cacheWritePriceMicros', 'Cache write price when recorded, micro-units per million tokens; null when unpriced.');
