import { builder } from '../builder.ts';
import { costLoaders } from '../cost-loaders.ts';
import { AgenticActionRef } from './agentic-action.ts';
import { CostRef } from './cost.ts';
import { InterceptionRef } from './interception.ts';
import { SessionRef } from './session.ts';
import { ThreadRef } from './thread.ts';

// `cost` beside each tokenUsage summary, priced as Query.usage prices (the same SQL), so the
// costs of a filter's interceptions add up to usage's total for that filter.

builder.objectField(InterceptionRef, 'cost', (t) =>
  t.field({
    type: CostRef,
    description: "What this interception's token usages cost.",
    resolve: (i, _args, ctx) => costLoaders(ctx).interceptions.load(i.id),
  }));

builder.objectField(AgenticActionRef, 'cost', (t) =>
  t.field({
    type: CostRef,
    description: 'What this interception cost.',
    resolve: (a, _args, ctx) => costLoaders(ctx).interceptions.load(a.interception.id),
  }));

builder.objectField(ThreadRef, 'cost', (t) =>
  t.field({
    type: CostRef,
    description: "What the thread's interceptions cost (the same interceptions as tokenUsage).",
    resolve: (th, _args, ctx) => costLoaders(ctx).threads(th.includeInFlight).load(th.id),
  }));

builder.objectField(SessionRef, 'cost', (t) =>
  t.field({
    type: CostRef,
    description: 'What every interception of the session cost (the same interceptions as tokenUsageSummary).',
    resolve: (s, _args, ctx) => costLoaders(ctx).sessions(s.includeInFlight).load({ initiatorId: s.initiatorId, sessionId: s.sessionId }),
  }));
