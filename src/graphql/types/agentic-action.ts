import type { AgenticAction } from '../../domain/thread-members.ts';
import { builder } from '../builder.ts';
import { InterceptionRef } from './interception.ts';
import { ThoughtRef } from './thought.ts';
import { TokenUsageSummaryRef } from './token-usage-summary.ts';
import { ToolUsageRef } from './tool-usage.ts';

export const AgenticActionRef = builder.objectRef<AgenticAction>('AgenticAction');

AgenticActionRef.implement({
  description: 'One interception of a thread that made at least one tool call: what the model thought and which tools it called.',
  fields: (t) => ({
    interception: t.field({ type: InterceptionRef, description: 'The interception.', resolve: (a) => a.interception }),
    model: t.exposeString('model', { description: 'Model of the interception.' }),
    tokenUsage: t.field({ type: TokenUsageSummaryRef, description: 'Token usage of this interception.', resolve: (a) => a.tokenUsage }),
    thinking: t.field({ type: [ThoughtRef], description: "The model's thinking, oldest first.", resolve: (a) => a.thinking }),
    toolCalls: t.field({ type: [ToolUsageRef], description: 'Tool calls, oldest first.', resolve: (a) => a.toolCalls }),
  }),
});
