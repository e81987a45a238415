import type { Cost, CostSourceShare } from '../../domain/usage/cost.ts';
import { builder } from '../builder.ts';

/** The precedence, said once for every description below (src/prices/resolve.ts implements it). */
const PRECEDENCE =
  'Each usage row is priced by the first source that knows it: RECORDED (Coder\'s own per-row cost_micros), then OVERRIDE '
  + '(the gateway\'s ModelPrice in force when the request started), then CODER_PRICE_TABLE (Coder\'s ai_model_prices, undated: one current '
  + 'price per model), then PACKAGE (@pydantic/genai-prices, dated).';

export const CostSourceEnum = builder.enumType('CostSource', {
  description: 'Where the priced amounts of a cost came from, in summary (Cost.sources has the split by each source).',
  values: {
    RECORDED: { description: "Coder's own per-row cost (`cost_micros`, newer Coder databases): it wins wherever a row has it." },
    PRICE_BOOK: {
      description: "The gateway's price book, in force when each request started: admin overrides (ModelPrice) over Coder's price table (ai_model_prices, where the database has it) over @pydantic/genai-prices defaults.",
    },
    MIXED: { description: 'Some usages recorded by Coder, the others priced from the price book.' },
    NONE: { description: 'Nothing was priced (no usages, or only unpriced ones).' },
  },
});

export const PriceSourceEnum = builder.enumType('PriceSource', {
  description: `One source of prices. ${PRECEDENCE}`,
  values: {
    RECORDED: { description: "Coder's per-row cost (`aibridge_token_usages.cost_micros`), written by Coder when it recorded the usage." },
    OVERRIDE: { description: "The gateway's own price overrides (ModelPrice), dated by effectiveFrom." },
    CODER_PRICE_TABLE: {
      description: "Coder's price table `ai_model_prices` (current Coder databases), keyed by provider type and model. It holds no history, so its price applies at any instant no override covers.",
    },
    PACKAGE: { description: 'The dated defaults of @pydantic/genai-prices.' },
  },
});

export const CostSourceShareRef = builder.objectRef<CostSourceShare>('CostSourceShare');

CostSourceShareRef.implement({
  description: 'What one price source priced within a cost.',
  fields: (t) => ({
    source: t.expose('source', { type: PriceSourceEnum }),
    usages: t.exposeInt('usages', { description: 'Token usage rows it priced (Coder records one per upstream response; a request has one or more).' }),
    tokens: t.expose('tokens', { type: 'SafeInt', description: 'All tokens (input, output, cache) of those rows.' }),
    amount: t.exposeString('amount', { description: 'What those rows cost, in USD (exact decimal text).' }),
  }),
});

export const CostRef = builder.objectRef<Cost>('Cost');

CostRef.implement({
  description:
    'What a set of token usages cost, exact to the micro-dollar: amounts are decimal USD strings with six decimals (never floats). '
    + 'Each usage row is priced per kind of token as floor(tokens × price per million / 1,000,000) micro-dollars (Coder\'s formula). '
    + `${PRECEDENCE} `
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
    source: t.expose('source', { type: CostSourceEnum, description: 'Where the priced amounts came from, in summary.' }),
    sources: t.field({
      type: [CostSourceShareRef],
      description: 'Each source that priced anything, in precedence order, with what it priced; the amounts add up to `total`.',
      resolve: (c) => c.sources,
    }),
  }),
});
