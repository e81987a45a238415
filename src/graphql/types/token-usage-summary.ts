import type { TokenTotals } from '../../domain/token-totals.ts';
import { builder } from '../builder.ts';

export const TokenUsageSummaryRef = builder.objectRef<TokenTotals>('TokenUsageSummary');

TokenUsageSummaryRef.implement({
  description: 'Token usage summed over a set of interceptions (an interception, an agentic action, a thread, a session).',
  fields: (t) => ({
    inputTokens: t.expose('input', { type: 'SafeInt', description: 'Sum of input tokens (cache reads excluded).' }),
    outputTokens: t.expose('output', { type: 'SafeInt', description: 'Sum of output tokens.' }),
    cacheReadInputTokens: t.expose('cacheRead', { type: 'SafeInt', description: 'Sum of input tokens read from the prompt cache.' }),
    cacheWriteInputTokens: t.expose('cacheWrite', { type: 'SafeInt', description: 'Sum of input tokens written to the prompt cache.' }),
    metadata: t.field({
      type: 'JSON',
      description: 'Integer leaves of the usages\' metadata summed per key, nested keys joined with "." (as REST aggregates them).',
      // JSON numbers, like REST's int64 counters; the sums are exact text until here.
      resolve: (s) => Object.fromEntries(Object.entries(s.metadata).map(([k, v]) => [k, Number(v)])),
    }),
  }),
});
