import type { TokenUsageRow } from '../../domain/children.ts';
import { builder } from '../builder.ts';

export const TokenUsageRef = builder.objectRef<TokenUsageRow>('TokenUsage');

TokenUsageRef.implement({
  description: 'Token usage reported by the provider for one response of an interception.',
  fields: (t) => ({
    id: t.expose('id', { type: 'UUID', description: 'Row id.' }),
    interceptionId: t.expose('interceptionId', { type: 'UUID', description: 'The interception this usage belongs to.' }),
    providerResponseId: t.exposeString('providerResponseId', { description: "The provider's response id." }),
    inputTokens: t.expose('inputTokens', { type: 'SafeInt', description: 'Input tokens, excluding cache reads (Coder\'s convention).' }),
    outputTokens: t.expose('outputTokens', { type: 'SafeInt', description: 'Output tokens.' }),
    cacheReadInputTokens: t.expose('cacheReadInputTokens', { type: 'SafeInt', description: 'Input tokens read from the prompt cache.' }),
    cacheWriteInputTokens: t.expose('cacheWriteInputTokens', { type: 'SafeInt', description: 'Input tokens written to the prompt cache.' }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true, description: 'Provider-specific usage details, as stored.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the usage was recorded.' }),
  }),
});
