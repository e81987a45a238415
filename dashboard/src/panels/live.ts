import type { GraphQLClient } from 'graphql-request';
import { figure, h, notice, type Failed } from '../dom';
import { count, dateTime, duration, tokens, usd } from '../format';
import type { DashboardLiveSubscription, InterceptionFilter } from '../generated/graphql';
import { LiveSubscription, TodayQuery } from '../queries';
import { subscribe } from '../sse';

type Ended = DashboardLiveSubscription['interceptionsEnded'];

const SHOWN = 15;

/**
 * Today's totals (from midnight in the view's time zone, the view's other filters unchanged) and
 * the interceptions ending now, over the API's `interceptionsEnded(filter)` subscription (SSE).
 * The subscription gets the view's filter without its time bounds: a relative range's end was
 * "now" when the page loaded, and what ends later belongs in it. Each event refreshes today's
 * totals (once per second at most) and tells the page (`onEnded`) so it can refresh what else is live.
 */
export function livePanel(
  client: GraphQLClient,
  opts: { filter: InterceptionFilter; todayStart: Date; timeZone: string; headers: Record<string, string>; onEnded: () => void; failed: Failed },
): { element: HTMLElement; stop: () => void } {
  const todayFilter: InterceptionFilter = { ...opts.filter, startedAfter: opts.todayStart.toISOString(), startedBefore: undefined };
  const liveFilter: InterceptionFilter = { ...opts.filter, startedAfter: undefined, startedBefore: undefined };
  const totals = h('div', { class: 'cards-inline', id: 'today' }, notice('loading', 'Loading today’s totals…'));
  const loadToday = async () => {
    try {
      const { usage } = await client.request(TodayQuery, { filter: todayFilter });
      const t = usage.totals;
      const all = t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWriteTokens;
      totals.replaceChildren(
        h('strong', {}, 'Today'),
        h('span', {}, figure('todayCost', usd(t.cost.total), t.cost.total), ' spent'),
        h('span', {}, figure('todayRequests', count(t.requests), t.requests), t.requests === 1 ? ' request' : ' requests'),
        h('span', {}, figure('todayTokens', tokens(all), all), ' tokens'),
      );
    } catch (err) {
      opts.failed(totals, 'Today’s totals')(err);
    }
  };
  void loadToday();

  const status = h('span', { class: 'muted', id: 'live-status', role: 'status' }, 'Connecting for live updates…');
  const rows = h('tbody', {});
  const table = h(
    'table',
    { id: 'live-table', hidden: true },
    h('caption', { class: 'muted' }, 'Just ended'),
    h('thead', {}, h('tr', {}, ...['Ended', 'User', 'Provider', 'Model', 'Client', 'Duration', 'Tokens in / out', 'Tools', 'Cost'].map((t, i) => h('th', { scope: 'col', class: i >= 5 ? 'num' : undefined }, t)))),
    rows,
  );
  const add = (i: Ended) => {
    const failed = i.toolUsages.filter((t) => t.invocationError).length;
    rows.prepend(
      h(
        'tr',
        { 'data-interception': i.uuid },
        h('td', {}, i.endedAt ? dateTime(i.endedAt, opts.timeZone) : ''),
        h('td', {}, i.initiator.username),
        h('td', {}, i.provider),
        h('td', {}, i.model),
        h('td', {}, i.client ?? 'Unknown'),
        h('td', { class: 'num' }, duration(i.durationMs)),
        h('td', { class: 'num' }, `${tokens(i.tokenUsageSummary.inputTokens)} / ${tokens(i.tokenUsageSummary.outputTokens)}`),
        h('td', { class: `num${failed ? ' warn' : ''}` }, i.toolUsages.length ? `${count(i.toolUsages.length)}${failed ? ` (${failed} failed)` : ''}` : '–'),
        h('td', { class: 'num' }, figure('cost', usd(i.cost.total), i.cost.total)),
      ),
    );
    while (rows.children.length > SHOWN) rows.lastElementChild!.remove();
    table.hidden = false;
  };

  let stopped = false;
  let close = () => {};
  let retry: ReturnType<typeof setTimeout> | undefined;
  let refresh: ReturnType<typeof setTimeout> | undefined;
  let backoff = 1000;
  const connect = () => {
    close = subscribe(LiveSubscription, { filter: liveFilter }, opts.headers, {
      next: (data) => {
        backoff = 1000;
        status.textContent = 'Live: updates as interceptions end.';
        add(data.interceptionsEnded);
        refresh ??= setTimeout(() => {
          refresh = undefined;
          void loadToday();
          opts.onEnded();
        }, 1000);
      },
      error: (message) => {
        status.textContent = `Live updates stopped: ${message} Reload to try again.`;
        stopped = true;
        close();
      },
      end: () => {
        if (stopped) return;
        // The server closed the stream (a restart, a proxy's timeout): reconnect, backing off.
        status.textContent = 'Live updates interrupted; reconnecting…';
        retry = setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 30_000);
      },
    });
    // The stream says nothing until something ends: connected is the best news there is.
    if (!stopped) status.textContent = 'Live: updates as interceptions end.';
  };
  connect();

  const element = h('section', { class: 'panel wide live', id: 'live', 'aria-label': 'Today and live updates' }, h('div', { class: 'live-head' }, totals, status), h('div', { class: 'scroll' }, table));
  return {
    element,
    stop: () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(refresh);
      close();
    },
  };
}
