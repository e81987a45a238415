import { displayCredentialHint, type ThreadRow } from '../../domain/threads.ts';
import { earliestTimestamp, latestTimestamp } from '../../domain/values.ts';
import { builder } from '../builder.ts';
import { branded } from '../node-brand.ts';
import { loaders } from '../loaders.ts';
import { AgenticActionRef } from './agentic-action.ts';
import { CredentialKindEnum, InterceptionRef } from './interception.ts';
import { TokenUsageSummaryRef } from './token-usage-summary.ts';

/** A thread as served: whether in-flight interceptions count travels with it to its children. */
export type ThreadNode = ThreadRow & { includeInFlight: boolean };

export const ThreadRef = builder.objectRef<ThreadNode>('Thread');

builder.node(ThreadRef, {
  description: 'An agentic loop: a root interception and the follow-up requests answering its tool calls.',
  id: { resolve: (th) => th.id },
  // Node lookups cover completed interceptions, as REST does.
  brandLoadedObjects: false,
  loadMany: (ids, ctx) =>
    branded(
      ThreadRef,
      loaders(ctx).threads().loadMany(ids).then((rows) => rows.map((th) => (th && !(th instanceof Error) ? { ...th, includeInFlight: false } : null))),
    ),
  fields: (t) => ({
    uuid: t.expose('id', { type: 'UUID', description: 'Id of the root interception (REST `id`).' }),
    sessionId: t.exposeString('sessionId', { description: 'The session the thread belongs to.' }),
    root: t.field({
      type: InterceptionRef,
      description: 'The root interception.',
      resolve: async (th, _args, ctx) => (await loaders(ctx).interceptions.load(th.id))!,
    }),
    prompt: t.exposeString('prompt', { nullable: true, description: "The root's first prompt; null when it has none." }),
    model: t.exposeString('model', { description: "The root's model." }),
    provider: t.exposeString('provider', { description: "The root's provider." }),
    credentialKind: t.expose('credentialKind', { type: CredentialKindEnum, description: "The root's credential kind." }),
    credentialHint: t.string({
      description: "The root's masked credential; `...` when the stored hint does not look masked.",
      resolve: (th) => displayCredentialHint(th.credentialHint),
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: "Earliest start over the thread's interceptions." }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: "Latest end over the thread's interceptions." }),
    tokenUsage: t.field({
      type: TokenUsageSummaryRef,
      description: "Token usage summed over the thread's interceptions.",
      resolve: (th) => th.tokenUsage,
    }),
    agenticActions: t.field({
      type: [AgenticActionRef],
      description: 'One entry per interception of the thread (root included, chronological) that made at least one tool call.',
      resolve: (th, _args, ctx) => loaders(ctx).agenticActions(th.includeInFlight).load(th.id),
    }),
    interceptions: t.field({
      type: [InterceptionRef],
      description: "The thread's interceptions, root first, chronological.",
      resolve: (th, _args, ctx) => loaders(ctx).threadInterceptions(th.includeInFlight).load(th.id),
    }),
  }),
});

// Our connections always resolve edges to plain arrays (see ../pagination.ts).
const nodesOf = (c: { edges?: unknown }) => (c.edges as { node: ThreadNode }[]).map((e) => e.node);

export const ThreadConnectionRef = builder.connectionObject({
  type: ThreadRef,
  name: 'ThreadConnection',
  description: "A page of a session's threads, oldest first (root startedAt ASC, id ASC).",
  fields: (t) => ({
    pageStartedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Earliest start over the threads of this page (REST `page_started_at`); null for an empty page.',
      resolve: (c) => earliestTimestamp(nodesOf(c).map((th) => th.startedAt)),
    }),
    pageEndedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Latest end over the threads of this page (REST `page_ended_at`).',
      resolve: (c) => latestTimestamp(nodesOf(c).map((th) => th.endedAt)),
    }),
  }),
});
