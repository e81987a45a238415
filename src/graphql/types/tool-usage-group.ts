import type { ToolUsageGroup } from '../../domain/tools/report.ts';
import { builder } from '../builder.ts';
import { loaders } from '../loaders.ts';
import { ToolUsageFiguresRef } from './tool-usage-figures.ts';
import { UserRef } from './user.ts';

export const ToolUsageGroupRef = builder.objectRef<ToolUsageGroup>('ToolUsageGroup');

ToolUsageGroupRef.implement({
  description: 'Tool figures of one group: one value of each dimension grouped by, and one time bucket when bucketed. Keys not grouped by are null.',
  fields: (t) => ({
    serverUrl: t.exposeString('serverUrl', {
      nullable: true,
      description: 'MCP server URL (grouped by SERVER). The empty string is the group of tools the client defined itself: calls with no server URL recorded (null or empty).',
    }),
    tool: t.exposeString('tool', { nullable: true, description: 'Tool name (grouped by TOOL).' }),
    injected: t.exposeBoolean('injected', { nullable: true, description: 'Whether AI Bridge injected the tool (grouped by INJECTED).' }),
    model: t.exposeString('model', { nullable: true, description: 'Model of the interception that made the calls (grouped by MODEL).' }),
    initiator: t.field({
      type: UserRef,
      nullable: true,
      description: 'The initiator (grouped by INITIATOR). A member only ever sees themselves here.',
      resolve: (g, _args, ctx) => (g.initiatorId ? loaders(ctx).users.load(g.initiatorId) : null),
    }),
    client: t.exposeString('client', { nullable: true, description: 'Client (grouped by CLIENT); interceptions without one are grouped as `Unknown`, as REST matches them.' }),
    bucketStart: t.expose('bucketStart', { type: 'DateTime', nullable: true, description: 'Start of the time bucket (inclusive), by when the interception started.' }),
    bucketEnd: t.expose('bucketEnd', {
      type: 'DateTime',
      nullable: true,
      description: 'End of the time bucket (exclusive): a DAY across a DST change lasts 23 or 25 hours.',
    }),
    figures: t.expose('figures', { type: ToolUsageFiguresRef }),
  }),
});
