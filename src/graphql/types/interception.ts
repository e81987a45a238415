import type { InterceptionFilter } from '../../domain/interception-filter.ts';
import { countInterceptions, listInterceptions, type InterceptionParent, type InterceptionRow } from '../../domain/interceptions.ts';
import type { PageResult } from '../../domain/paging.ts';
import { displayCredentialHint } from '../../domain/threads.ts';
import { builder } from '../builder.ts';
import { branded } from '../node-brand.ts';
import type { GraphQLContext } from '../context.ts';
import { INTERCEPTION_PAGE } from '../../limits.ts';
import { epochMillis } from '../../domain/values.ts';
import { loaders } from '../loaders.ts';
import {
  type ConnectionArgs,
  connection,
  isTimeIdCursor,
  keysetArgs,
  once,
  pageComplexity,
} from '../pagination.ts';
import { ModelThoughtRef } from './model-thought.ts';
import { TokenUsageRef } from './token-usage.ts';
import { TokenUsageSummaryRef } from './token-usage-summary.ts';
import { ToolUsageRef } from './tool-usage.ts';
import { UserPromptRef } from './user-prompt.ts';
import { UserRef } from './user.ts';
import { InterceptionFilterInput, toFilter } from './interception-filter.ts';

export const CredentialKindEnum = builder.enumType('CredentialKind', {
  description: 'How the provider credential was supplied.',
  values: {
    CENTRALIZED: { value: 'centralized', description: "The deployment's own key." },
    BYOK: { value: 'byok', description: "The user's own key (bring your own key)." },
  },
});

export const InterceptionRef = builder.objectRef<InterceptionRow>('Interception');

builder.node(InterceptionRef, {
  description: 'One LLM request proxied by AI Bridge, with what it cost and what the model did.',
  id: { resolve: (i) => i.id },
  // The same per-request loader as threadRoot/threadParent; null for absent or invisible rows.
  brandLoadedObjects: false,
  loadMany: (ids, ctx) => branded(InterceptionRef, Promise.all(ids.map((id) => loaders(ctx).interceptions.load(id.toLowerCase())))),
  fields: (t) => ({
    uuid: t.expose('id', { type: 'UUID', description: 'The interception id (REST `id`).' }),
    initiator: t.field({
      type: UserRef,
      description: 'The user who made the request (soft-deleted users included).',
      resolve: async (i, _args, ctx) => (await loaders(ctx).users.load(i.initiatorId))!,
    }),
    provider: t.exposeString('provider', { description: 'Provider type: `openai`, `anthropic`, `copilot`…' }),
    providerName: t.exposeString('providerName', { description: 'Provider instance name; empty when unset.' }),
    model: t.exposeString('model', { description: 'Requested model.' }),
    client: t.exposeString('client', { nullable: true, description: 'Client (Claude Code, Codex…); null or `Unknown` when not identified.' }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true, description: 'Request metadata, as stored.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the request started.' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'When it ended; null while in flight.' }),
    // SafeInt, not Int: 2^31 ms is under 25 days.
    durationMs: t.field({
      type: 'SafeInt',
      nullable: true,
      description: 'endedAt − startedAt in whole milliseconds; null while in flight.',
      resolve: (i) => (i.endedAt == null ? null : Math.round(epochMillis(i.endedAt) - epochMillis(i.startedAt))),
    }),
    apiKeyId: t.exposeString('apiKeyId', { nullable: true, description: 'Coder API key used, if any.' }),
    credentialKind: t.expose('credentialKind', { type: CredentialKindEnum, description: 'Centralized key or BYOK.' }),
    credentialHint: t.string({
      description: 'Masked credential, e.g. `sk-a...efgh`; empty when unknown; `...` when the stored hint is not masked.',
      // Unlike REST's thread hint (Coder writes `...` there), an empty hint stays empty: it
      // reveals nothing, and tells a client the hint is unknown rather than unmasked.
      resolve: (i) => (i.credentialHint === '' ? '' : displayCredentialHint(i.credentialHint)),
    }),
    sessionId: t.exposeString('sessionId', { description: 'Client session id, else thread root id, else own id.' }),
    threadRoot: t.field({
      type: InterceptionRef,
      nullable: true,
      description: 'First interception of the thread; null when this one is a root.',
      resolve: (i, _args, ctx) => (i.threadRootId ? loaders(ctx).interceptions.load(i.threadRootId) : null),
    }),
    threadParent: t.field({
      type: InterceptionRef,
      nullable: true,
      description: 'The interception whose tool call this request answers.',
      resolve: (i, _args, ctx) => (i.threadParentId ? loaders(ctx).interceptions.load(i.threadParentId) : null),
    }),
    tokenUsages: t.field({
      type: [TokenUsageRef],
      description: 'Token usage rows, oldest first.',
      resolve: (i, _args, ctx) => loaders(ctx).tokenUsages.load(i.id),
    }),
    tokenUsageSummary: t.field({
      type: TokenUsageSummaryRef,
      description: 'The token usage rows summed.',
      resolve: (i, _args, ctx) => loaders(ctx).tokenTotals.load(i.id),
    }),
    toolUsages: t.field({
      type: [ToolUsageRef],
      description: 'Tool calls, oldest first.',
      resolve: (i, _args, ctx) => loaders(ctx).toolUsages.load(i.id),
    }),
    userPrompts: t.field({
      type: [UserPromptRef],
      description: 'User prompts, oldest first.',
      resolve: (i, _args, ctx) => loaders(ctx).userPrompts.load(i.id),
    }),
    modelThoughts: t.field({
      type: [ModelThoughtRef],
      description: "The model's thinking, oldest first.",
      resolve: (i, _args, ctx) => loaders(ctx).modelThoughts.load(i.id),
    }),
  }),
});

export const InterceptionConnectionRef = builder.connectionObject({
  type: InterceptionRef,
  name: 'InterceptionConnection',
  description: 'A page of interceptions, newest first (startedAt DESC, id DESC).',
});

/**
 * Keyset pages of visible interceptions; the count runs only if totalCount is selected.
 * With a `parent` (a nested list: User.interceptions, Session.interceptions), `filter` already
 * names it, and a first page (no cursor) of sibling parents is read in one statement
 * (loaders.interceptionPages); cursor pages are read per parent. totalCount stays one statement
 * per parent, sent only for the connections that select it.
 */
export async function interceptionConnection(ctx: GraphQLContext, filter: InterceptionFilter, args: ConnectionArgs, parent?: InterceptionParent) {
  const page = keysetArgs(args, INTERCEPTION_PAGE, isTimeIdCursor);
  let result: PageResult<InterceptionRow>;
  if (parent && !page.after && !page.before) {
    // What the parents share: the parent's own keys travel in `parent`.
    const { initiatorId: _initiatorId, ...shared } = filter;
    if (parent.sessionId !== undefined) delete shared.sessionId;
    shared.includeInFlight = Boolean(shared.includeInFlight);
    result = await loaders(ctx).interceptionPages.load({ parent, filter: shared, limit: page.limit, fromEnd: page.fromEnd });
  } else {
    result = await listInterceptions(ctx.db, ctx.viewer, filter, page);
  }
  return connection(page, result, (r) => ({ startedAt: r.startedAt, id: r.id }), once(() => countInterceptions(ctx.db, ctx.viewer, filter)));
}

builder.queryFields((t) => ({
  interceptions: t.connection(
    {
      type: InterceptionRef,
      description: 'Interceptions the caller may see, newest first. Completed ones only unless filter.includeInFlight.',
      args: { filter: t.arg({ type: InterceptionFilterInput, required: false }) },
      complexity: pageComplexity(INTERCEPTION_PAGE),
      resolve: async (_root, args, ctx) => interceptionConnection(ctx, await toFilter(ctx, args.filter), args),
    },
    InterceptionConnectionRef,
  ),
  interception: t.field({
    type: InterceptionRef,
    nullable: true,
    description: 'One interception by UUID (in-flight ones included); null when absent or not visible.',
    args: { id: t.arg({ type: 'UUID', required: true }) },
    resolve: (_root, args, ctx) => loaders(ctx).interceptions.load(args.id.toLowerCase()),
  }),
}));

builder.objectField(UserRef, 'interceptions', (t) =>
  t.connection(
    {
      type: InterceptionRef,
      description: "This user's interceptions the caller may see, newest first.",
      args: { filter: t.arg({ type: InterceptionFilterInput, required: false }) },
      complexity: pageComplexity(INTERCEPTION_PAGE),
      resolve: async (user, args, ctx) =>
        interceptionConnection(ctx, { ...(await toFilter(ctx, args.filter)), initiatorId: user.id }, args, { initiatorId: user.id }),
    },
    InterceptionConnectionRef,
  ),
);
