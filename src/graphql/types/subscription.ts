import { complexityFromQuery } from '@pothos/plugin-complexity';
import { GraphQLError, Kind, type DocumentNode, type GraphQLResolveInfo } from 'graphql';
import type { InterceptionRow } from '../../domain/interceptions.ts';
import { SubscriptionError } from '../../live/feed.ts';
import { builder, LIMITS } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { costLoaders } from '../cost-loaders.ts';
import { currentLoaders } from '../current-loaders.ts';
import { loaders } from '../loaders.ts';
import { tooComplex } from '../errors.ts';
import { InterceptionRef } from './interception.ts';
import { InterceptionFilterInput, toFilter } from './interception-filter.ts';

/** A refused or ended subscription as the client sees it: a stable code and the limit reached. */
function subscriptionError(e: SubscriptionError): GraphQLError {
  const code = {
    'shutting-down': 'SERVICE_UNAVAILABLE',
    lagging: 'SUBSCRIPTION_LAGGING',
    'signed-out': 'UNAUTHENTICATED',
    'per-user': 'TOO_MANY_SUBSCRIPTIONS',
    process: 'TOO_MANY_SUBSCRIPTIONS',
  }[e.reason];
  return new GraphQLError(e.message, {
    extensions: { code, ...(e.reason === 'per-user' || e.reason === 'process' ? { limit: e.reason, max: e.max } : {}) },
  });
}

/**
 * The feed's events with its errors coded. A plain iterator, not an async generator: a client that
 * goes away calls `return` while `next` is still waiting for an event, and a generator would queue
 * that call behind the event (for a quiet filter, forever), holding the subscriber and its slot.
 */
function coded(events: AsyncIterableIterator<InterceptionRow>): AsyncIterableIterator<InterceptionRow> {
  return {
    next: () =>
      events.next().catch((e: unknown) => {
        throw e instanceof SubscriptionError ? subscriptionError(e) : e;
      }),
    return: () => events.return!(),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * The complexity plugin checks a subscription field when it resolves an event, that is after the
 * subscriber joined the feed: an oversized document is refused here instead, before it subscribes,
 * with the same limits and error as a query.
 */
function checkComplexity(ctx: GraphQLContext, info: GraphQLResolveInfo) {
  const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [info.operation, ...Object.values(info.fragments)] };
  const r = complexityFromQuery(document, { schema: info.schema, variables: info.variableValues, ctx });
  const result = { ...r, maxDepth: LIMITS.depth, maxBreadth: LIMITS.breadth, maxComplexity: LIMITS.complexity };
  if (r.depth > LIMITS.depth) throw tooComplex('depth', result);
  if (r.breadth > LIMITS.breadth) throw tooComplex('breadth', result);
  if (r.complexity > LIMITS.complexity) throw tooComplex('complexity', result);
}

/**
 * Every event is resolved with the subscription's one context, whose DataLoaders cache what they
 * read: cleared per event so an open stream neither serves stale children nor grows without end.
 */
function freshLoaders(ctx: GraphQLContext) {
  loaders.delete(ctx);
  costLoaders.delete(ctx);
  currentLoaders.delete(ctx);
}

builder.subscriptionFields((t) => ({
  interceptionsEnded: t.field({
    type: InterceptionRef,
    description:
      'Each interception that completes from now on, visible to the caller and matching the filter, in (endedAt, id) order, once. ' +
      'Served over server-sent events (`Accept: text/event-stream`); see the README, "Live updates". ' +
      '`filter.includeInFlight` is ignored: only completed interceptions are emitted.',
    args: { filter: t.arg({ type: InterceptionFilterInput, required: false }) },
    subscribe: async (_root, args, ctx, info) => {
      checkComplexity(ctx, info);
      const filter = await toFilter(ctx, args.filter);
      try {
        return coded(ctx.live.subscribe(ctx.viewer, filter));
      } catch (e) {
        throw e instanceof SubscriptionError ? subscriptionError(e) : e;
      }
    },
    resolve: (row: InterceptionRow, _args, ctx) => {
      freshLoaders(ctx);
      return row;
    },
  }),
}));
