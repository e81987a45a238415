import type { UsageFigures } from '../../domain/usage/report.ts';
import { builder } from '../builder.ts';
import { CostRef } from './cost.ts';

const DurationPercentilesRef = builder.objectRef<UsageFigures['durationMs']>('DurationPercentiles');

DurationPercentilesRef.implement({
  description: 'Duration percentiles (continuous, interpolated) in milliseconds over completed interceptions; null when none completed.',
  fields: (t) => ({
    p50: t.exposeFloat('p50', { nullable: true }),
    p95: t.exposeFloat('p95', { nullable: true }),
    p99: t.exposeFloat('p99', { nullable: true }),
  }),
});

export const UsageFiguresRef = builder.objectRef<UsageFigures>('UsageFigures');

UsageFiguresRef.implement({
  description: 'Usage of a set of interceptions.',
  fields: (t) => ({
    requests: t.exposeInt('requests', { description: 'Interceptions.' }),
    sessions: t.exposeInt('sessions', { description: 'Distinct sessions (session id and initiator).' }),
    users: t.exposeInt('users', { description: 'Distinct initiators.' }),
    inputTokens: t.expose('inputTokens', { type: 'SafeInt', description: 'Input tokens (cache reads and writes excluded, as Coder counts them).' }),
    outputTokens: t.expose('outputTokens', { type: 'SafeInt' }),
    cacheReadTokens: t.expose('cacheReadTokens', { type: 'SafeInt' }),
    cacheWriteTokens: t.expose('cacheWriteTokens', { type: 'SafeInt' }),
    cacheHitRatio: t.float({
      nullable: true,
      description: 'cacheReadTokens / (inputTokens + cacheReadTokens + cacheWriteTokens): the share of prompt tokens served from the cache; null without prompt tokens.',
      resolve: (f) => {
        const prompt = BigInt(f.inputTokens) + BigInt(f.cacheReadTokens) + BigInt(f.cacheWriteTokens);
        return prompt === 0n ? null : Number((BigInt(f.cacheReadTokens) * 1_000_000n) / prompt) / 1_000_000;
      },
    }),
    durationMs: t.expose('durationMs', { type: DurationPercentilesRef, description: 'endedAt − startedAt percentiles over completed interceptions.' }),
    toolCalls: t.exposeInt('toolCalls', { description: 'Tool calls made.' }),
    injectedToolCalls: t.exposeInt('injectedToolCalls', { description: 'Tool calls of tools injected by AI Bridge (MCP).' }),
    toolErrors: t.exposeInt('toolErrors', { description: 'Tool calls with a non-empty invocation error.' }),
    cost: t.expose('cost', { type: CostRef }),
    purged: t.exposeBoolean('purged', {
      description: 'True when some of these figures come from hours whose interceptions Coder\'s retention has since deleted: the '
        + 'gateway\'s roll-ups keep them (amounts priced as they were when rolled up) and they can no longer be checked against rows. '
        + 'Queries that roll-ups cannot answer (a `failed` filter, a zone whose offset is not whole hours) count retained rows only.',
    }),
  }),
});
