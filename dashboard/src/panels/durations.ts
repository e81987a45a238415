import { categoryBars } from '../charts';
import { figure, h } from '../dom';
import { count, duration, ratio } from '../format';
import type { DashboardDurationsQuery, DashboardOverviewQuery } from '../generated/graphql';

type Groups = DashboardDurationsQuery['usage']['groups'];
type Totals = DashboardOverviewQuery['summary']['totals'];

/** p50 and p95 request duration of the busiest models. */
export function durationChart(groups: Groups): HTMLElement {
  const rows = groups.filter((g) => g.figures.durationMs.p50 != null);
  const el = h('div', { class: 'chart', id: 'chart-durations', role: 'img', 'aria-label': 'p50 and p95 request duration by model' });
  if (rows.length) {
    requestAnimationFrame(() =>
      categoryBars(el, {
        categories: rows.map((g) => g.model ?? 'unknown'),
        series: [
          { label: 'p50', values: rows.map((g) => g.figures.durationMs.p50 ?? 0) },
          { label: 'p95', values: rows.map((g) => g.figures.durationMs.p95 ?? 0) },
        ],
        format: duration,
      }),
    );
  }
  return h('section', { class: 'panel' }, h('h2', {}, 'Request duration by model (p50, p95)'), rows.length ? el : h('p', { class: 'notice empty' }, 'No completed requests in this range and filter.'));
}

/**
 * Tool calls and their failures. The API's usage figures give counts per model; the breakdown per
 * tool and per MCP server needs `Query.toolUsage` (the tool analytics issue): SEAM — when that
 * lands, query it here and list tools and servers by failures.
 */
export function toolsPanel(totals: Totals, groups: Groups): HTMLElement {
  const rows = groups.filter((g) => g.figures.toolCalls > 0);
  return h(
    'section',
    { class: 'panel', id: 'tools' },
    h('h2', {}, 'Tool and MCP-server failures'),
    h(
      'p',
      { class: 'cards-inline' },
      h('span', {}, figure('toolCalls', count(totals.toolCalls), totals.toolCalls), ' tool calls'),
      h('span', { class: totals.toolErrors ? 'warn' : '' }, figure('toolErrors', count(totals.toolErrors), totals.toolErrors), ` failed (${ratio(totals.toolCalls ? totals.toolErrors / totals.toolCalls : null)})`),
      h('span', {}, figure('injectedToolCalls', count(totals.injectedToolCalls), totals.injectedToolCalls), ' through MCP servers injected by AI Bridge'),
    ),
    rows.length
      ? h(
          'div',
          { class: 'scroll' },
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Model'), h('th', { scope: 'col', class: 'num' }, 'Tool calls'), h('th', { scope: 'col', class: 'num' }, 'Failed'), h('th', { scope: 'col', class: 'num' }, 'MCP (injected)'))),
            h('tbody', {}, ...rows.map((g) => h('tr', {}, h('th', { scope: 'row' }, g.model ?? 'unknown'), h('td', { class: 'num' }, count(g.figures.toolCalls)), h('td', { class: `num${g.figures.toolErrors ? ' warn' : ''}` }, count(g.figures.toolErrors)), h('td', { class: 'num' }, count(g.figures.injectedToolCalls))))),
          ),
        )
      : h('p', { class: 'notice empty' }, 'No tool calls in this range and filter.'),
    h('p', { class: 'muted seam', id: 'tool-usage-seam' }, 'Failures per tool and per MCP server need the API’s toolUsage query, which this server does not offer yet.'),
  );
}
