import { GraphQLError } from 'graphql';
import type { InterceptionRow } from '../../domain/interceptions.ts';
import { SubscriptionError } from '../../live/feed.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { costLoaders } from '../cost-loaders.ts';
import { currentLoaders } from '../current-loaders.ts';
import { loaders } from '../loaders.ts';
import { InterceptionRef } from './interception.ts';
import { InterceptionFilterInput, toFilter } from './interception-filter.ts';

/** A refused or ended subscription as the client sees it: a stable code and the limit reached. */
function subscriptionError(e: SubscriptionError): GraphQLError {
  const code = e.reason === 'shutting-down' ? 'SERVICE_UNAVAILABLE' : e.reason === 'lagging' ? 'SUBSCRIPTION_LAGGING' : 'TOO_MANY_SUBSCRIPTIONS';
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
    subscribe: async (_root, args, ctx) => {
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
