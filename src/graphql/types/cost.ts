import type { Cost } from '../../domain/usage/cost.ts';
import { builder } from '../builder.ts';

export const CostSourceEnum = builder.enumType('CostSource', {
  description: 'Where the priced amounts of a cost came from.',
  values: {
    RECORDED: { description: "Coder's own per-row cost (`cost_micros`, newer Coder databases): it wins wherever a row has it." },
    PRICE_BOOK: { description: "The gateway's price book: admin overrides (ModelPrice) over @pydantic/genai-prices defaults, in force when each request started." },
    MIXED: { description: 'Some usages recorded by Coder, the others priced from the price book.' },
    NONE: { description: 'Nothing was priced (no usages, or only unpriced ones).' },
  },
});

export const CostRef = builder.objectRef<Cost>('Cost');

CostRef.implement({
  description:
    'What a set of token usages cost, exact to the micro-dollar: amounts are decimal USD strings with six decimals (never floats). '
    + 'Each usage row is priced per kind of token as floor(tokens × price per million / 1,000,000) micro-dollars (Coder\'s formula). '
    + 'A usage without a known price adds nothing to the amounts and is counted in unpricedRequests/unpricedTokens instead: never a silent $0.',
  fields: (t) => ({
    total: t.exposeString('total', { description: 'Total in USD (recorded cost where Coder has one, else the sum of the parts).' }),
    input: t.exposeString('input', { description: 'Input tokens (cache reads and writes excluded, as Coder counts them) in USD.' }),
    output: t.exposeString('output', { description: 'Output tokens in USD.' }),
    cacheRead: t.exposeString('cacheRead', { description: 'Cache-read tokens in USD.' }),
    cacheWrite: t.exposeString('cacheWrite', { description: 'Cache-write tokens in USD.' }),
    cacheSavings: t.exposeString('cacheSavings', {
      description: 'What the cache-read tokens would have cost at the input price, minus what they did cost, in USD.',
    }),
    unpricedRequests: t.exposeInt('unpricedRequests', { description: 'Interceptions with at least one usage that has no known price.' }),
    unpricedTokens: t.expose('unpricedTokens', { type: 'SafeInt', description: 'All tokens (input, output, cache) of usages without a known price.' }),
    source: t.expose('source', { type: CostSourceEnum, description: 'Where the priced amounts came from.' }),
  }),
});
