import type { ToolUsageRow } from '../../domain/children.ts';
import { builder } from '../builder.ts';

export const ToolUsageRef = builder.objectRef<ToolUsageRow>('ToolUsage');

ToolUsageRef.implement({
  description: 'A tool call the model made in a response (MCP tools injected by the bridge included).',
  fields: (t) => ({
    id: t.expose('id', { type: 'UUID', description: 'Row id.' }),
    interceptionId: t.expose('interceptionId', { type: 'UUID', description: 'The interception whose response made the call.' }),
    providerResponseId: t.exposeString('providerResponseId', { description: "The provider's response id." }),
    providerToolCallId: t.exposeString('providerToolCallId', { nullable: true, description: "The provider's id of the tool call." }),
    providerItemId: t.exposeString('providerItemId', { nullable: true, description: "The provider's output item id (OpenAI Responses API)." }),
    tool: t.exposeString('tool', { description: 'Tool name.' }),
    serverUrl: t.exposeString('serverUrl', { nullable: true, description: 'MCP server of an injected tool; null otherwise (REST prints "").' }),
    input: t.exposeString('input', { description: 'Raw arguments as sent by the model, usually JSON text.' }),
    injected: t.exposeBoolean('injected', { description: 'Whether the bridge injected this tool (MCP) rather than the client.' }),
    invocationError: t.exposeString('invocationError', { nullable: true, description: 'Error of an injected tool invocation; null when none (REST prints "").' }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true, description: 'Provider-specific details, as stored.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the call was recorded.' }),
  }),
});
