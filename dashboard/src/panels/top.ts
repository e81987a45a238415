import { figure, h } from '../dom';
import { compactNumber, count, tokens, usd } from '../format';
import type { DashboardTopQuery } from '../generated/graphql';

type Figures = DashboardTopQuery['users']['groups'][number]['figures'];

/** One ranking: name, requests, tokens, cost, cache savings, and the unpriced part said out loud. */
function table(id: string, title: string, rows: { name: string; figures: Figures }[]): HTMLElement {
  if (!rows.length) return h('section', { class: 'panel top', id }, h('h2', {}, title), h('p', { class: 'notice empty' }, 'Nothing in this range and filter.'));
  return h(
    'section',
    { class: 'panel top', id },
    h('h2', {}, title),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col', class: 'num' }, 'Requests'), h('th', { scope: 'col', class: 'num' }, 'Tokens'), h('th', { scope: 'col', class: 'num' }, 'Cost'), h('th', { scope: 'col', class: 'num' }, 'Cache saved'), h('th', { scope: 'col', class: 'num' }, 'Unpriced'))),
        h(
          'tbody',
          {},
          ...rows.map(({ name, figures: f }) => {
            const all = f.inputTokens + f.outputTokens + f.cacheReadTokens + f.cacheWriteTokens;
            return h(
              'tr',
              { 'data-key': name },
              h('th', { scope: 'row' }, name),
              h('td', { class: 'num' }, figure('requests', count(f.requests), f.requests)),
              h('td', { class: 'num' }, figure('tokens', tokens(all), all)),
              h('td', { class: 'num' }, figure('cost', usd(f.cost.total), f.cost.total)),
              h('td', { class: 'num' }, figure('cacheSavings', usd(f.cost.cacheSavings), f.cost.cacheSavings)),
              h(
                'td',
                { class: f.cost.unpricedRequests ? 'num warn' : 'num muted', title: f.cost.unpricedRequests ? `${tokens(f.cost.unpricedTokens)} tokens without a known price, not in the cost` : undefined },
                f.cost.unpricedRequests ? figure('unpricedRequests', `${count(f.cost.unpricedRequests)} req · ${compactNumber(f.cost.unpricedTokens)} tok`, f.cost.unpricedRequests) : '–',
              ),
            );
          }),
        ),
      ),
    ),
  );
}

export function topTables(data: DashboardTopQuery): HTMLElement[] {
  return [
    table('top-users', 'Top users by cost', data.users.groups.map((g) => ({ name: g.initiator?.username ?? 'unknown', figures: g.figures }))),
    table('top-models', 'Top models by cost', data.models.groups.map((g) => ({ name: g.model ?? 'unknown', figures: g.figures }))),
    table('top-clients', 'Top clients by cost', data.clients.groups.map((g) => ({ name: g.client ?? 'Unknown', figures: g.figures }))),
  ];
}
