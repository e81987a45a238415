import type { ToolUsageFigures } from '../../domain/tools/report.ts';
import { builder } from '../builder.ts';
import { CostRef } from './cost.ts';

export const ToolUsageFiguresRef = builder.objectRef<ToolUsageFigures>('ToolUsageFigures');

/** part / whole of two exact counts; null without a whole. */
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

ToolUsageFiguresRef.implement({
  description:
    'Figures of a set of tool calls. Calls, invocation errors and injected calls count calls; requests, sessions, tokens and cost '
    + 'are those of the interceptions that made the calls. An interception counts once in each group it made calls in: one that '
    + 'called two tools counts with all its tokens and cost under each tool, so groups can add up to more than the totals, '
    + 'which count it once.',
  fields: (t) => ({
    calls: t.exposeInt('calls', { description: 'Tool calls.' }),
    invocationErrors: t.exposeInt('invocationErrors', { description: 'Calls with a non-empty invocation error (AI Bridge records them for injected tools).' }),
    errorRate: t.float({
      nullable: true,
      description: 'invocationErrors / calls (a ratio of exact counts); null without calls.',
      resolve: (f) => ratio(f.invocationErrors, f.calls),
    }),
    injectedCalls: t.exposeInt('injectedCalls', { description: 'Calls of tools AI Bridge injected (MCP).' }),
    injectedShare: t.float({
      nullable: true,
      description: 'injectedCalls / calls (a ratio of exact counts); null without calls.',
      resolve: (f) => ratio(f.injectedCalls, f.calls),
    }),
    requests: t.exposeInt('requests', { description: 'Interceptions that made the calls.' }),
    sessions: t.exposeInt('sessions', { description: 'Distinct sessions (session id and initiator) of those interceptions.' }),
    inputTokens: t.expose('inputTokens', { type: 'SafeInt', description: 'Input tokens of those interceptions (cache reads and writes excluded, as Coder counts them).' }),
    outputTokens: t.expose('outputTokens', { type: 'SafeInt' }),
    cacheReadTokens: t.expose('cacheReadTokens', { type: 'SafeInt' }),
    cacheWriteTokens: t.expose('cacheWriteTokens', { type: 'SafeInt' }),
    cost: t.expose('cost', { type: CostRef, description: 'What those interceptions cost, from the price book (Query.usage\'s pricing).' }),
  }),
});
