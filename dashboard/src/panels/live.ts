import type { GraphQLClient } from 'graphql-request';
import { errorMessage } from '../api';
import { figure, h, notice } from '../dom';
import { count, tokens, usd } from '../format';
import type { InterceptionFilter } from '../generated/graphql';
import { TodayQuery } from '../queries';

/**
 * Today's totals (from midnight in the view's time zone, the view's other filters unchanged) and
 * the live feed of interceptions as they end. SEAM: the feed needs the API's
 * `Subscription.interceptionsEnded(filter)` over server-sent events, which this build's schema
 * lacks; `startFeed` is where it plugs in. Until then the panel says so and today's totals load once.
 */
export function livePanel(client: GraphQLClient, opts: { filter: InterceptionFilter; todayStart: Date; timeZone: string }): { element: HTMLElement; stop: () => void } {
  const todayFilter: InterceptionFilter = { ...opts.filter, startedAfter: opts.todayStart.toISOString(), startedBefore: undefined };
  const totals = h('div', { class: 'cards-inline', id: 'today' }, notice('loading', 'Loading today’s totals…'));
  const loadToday = async () => {
    try {
      const { usage } = await client.request(TodayQuery, { filter: todayFilter });
      const t = usage.totals;
      const all = t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWriteTokens;
      totals.replaceChildren(
        h('span', {}, 'Today: '),
        h('span', {}, figure('todayCost', usd(t.cost.total), t.cost.total), ' spent'),
        h('span', {}, figure('todayRequests', count(t.requests), t.requests), ' requests'),
        h('span', {}, figure('todayTokens', tokens(all), all), ' tokens'),
      );
    } catch (err) {
      totals.replaceChildren(notice('error', `Today’s totals could not be loaded: ${errorMessage(err)}`));
    }
  };
  void loadToday();
  const feed = h('p', { class: 'muted', id: 'live-status' }, 'Live updates need the interceptionsEnded subscription, which this server does not offer yet; reload to see new usage.');
  const element = h('section', { class: 'panel wide live', id: 'live', 'aria-label': 'Today and live updates' }, totals, feed);
  return { element, stop: () => {} };
}
