import { figure, h } from '../dom';
import { count, plural, ratio, usd } from '../format';
import type { DashboardToolFiguresFragment, DashboardToolsQuery } from '../generated/graphql';

/** The API's SERVER key for tools the client defined itself (no MCP server recorded). */
const NO_SERVER = '';
const serverName = (url: string) => (url === NO_SERVER ? 'Client-defined tools (no MCP server)' : url);

const num = (name: string, shown: string, raw: string | number, warn = false) => h('td', { class: `num${warn ? ' warn' : ''}` }, figure(name, shown, raw));

/** Calls, failed calls, error rate, then what the requests that made the calls cost. */
const figureCells = (f: DashboardToolFiguresFragment) => [
  num('calls', count(f.calls), f.calls),
  num('invocationErrors', count(f.invocationErrors), f.invocationErrors, f.invocationErrors > 0),
  num('errorRate', ratio(f.errorRate), f.errorRate ?? '', (f.errorRate ?? 0) > 0),
  h('td', { class: 'num' }, figure('cost', usd(f.cost.total), f.cost.total), f.cost.unpricedRequests ? h('span', { class: 'warn', title: `${plural(f.cost.unpricedRequests, 'request')} without a known price, not in the cost` }, ' *') : null),
];

const head = (first: string[]) =>
  h('thead', {}, h('tr', {}, ...first.map((t) => h('th', { scope: 'col' }, t)), ...['Calls', 'Failed', 'Error rate', 'Cost'].map((t) => h('th', { scope: 'col', class: 'num' }, t))));

function table(id: string, caption: string, columns: string[], rows: HTMLElement[]): HTMLElement {
  return h('div', { class: 'scroll' }, h('table', { id }, h('caption', { class: 'muted' }, caption), head(columns), h('tbody', {}, ...rows)));
}

const unpriced = (groups: { figures: DashboardToolFiguresFragment }[]) => groups.some((g) => g.figures.cost.unpricedRequests > 0);

/**
 * Tool and MCP-server failures from the API's `toolUsage`: the servers and the tools with the most
 * failed calls (invocation errors) first, with their error rate, calls, and the cost of the
 * requests that made the calls. A request calling two tools counts under each (the API's rule),
 * so the rows can add up to more than the totals line.
 */
export function toolsPanel(data: DashboardToolsQuery): HTMLElement {
  const t = data.all.totals;
  const section = h('section', { class: 'panel wide', id: 'tools' }, h('h2', {}, 'Tool and MCP-server failures'));
  if (!t.calls) {
    section.append(h('p', { class: 'notice empty' }, 'No tool calls in this range and filter. Widen the range or clear a filter to see tool failures.'));
    return section;
  }
  section.append(
    h(
      'p',
      { class: 'cards-inline', id: 'tools-totals' },
      h('span', {}, figure('calls', count(t.calls), t.calls), ' tool calls'),
      h('span', { class: t.invocationErrors ? 'warn' : '' }, figure('invocationErrors', count(t.invocationErrors), t.invocationErrors), ' failed (', figure('errorRate', ratio(t.errorRate), t.errorRate ?? ''), ')'),
      h('span', {}, figure('injectedCalls', count(t.injectedCalls), t.injectedCalls), ' through MCP servers injected by AI Bridge'),
      h('span', {}, 'made by ', figure('requests', plural(t.requests, 'request'), t.requests), ' costing ', figure('cost', usd(t.cost.total), t.cost.total)),
    ),
    h(
      'div',
      { class: 'tool-tables' },
      table(
        'tool-servers',
        'By MCP server, most failures first',
        ['MCP server'],
        data.servers.groups.map((g) => h('tr', { 'data-key': g.serverUrl ?? '' }, h('th', { scope: 'row', class: 'key', title: serverName(g.serverUrl ?? '') }, serverName(g.serverUrl ?? '')), ...figureCells(g.figures))),
      ),
      table(
        'tool-tools',
        'By tool, most failures first',
        ['Tool', 'MCP server'],
        data.tools.groups.map((g) =>
          h(
            'tr',
            { 'data-key': `${g.serverUrl ?? ''} ${g.tool ?? ''}` },
            h('th', { scope: 'row' }, h('code', {}, g.tool ?? '')),
            h('td', { class: 'key muted', title: serverName(g.serverUrl ?? '') }, g.serverUrl === NO_SERVER ? 'client-defined' : (g.serverUrl ?? '')),
            ...figureCells(g.figures),
          ),
        ),
      ),
    ),
    unpriced([...data.servers.groups, ...data.tools.groups]) ? h('p', { class: 'muted note' }, h('span', { class: 'warn' }, '*'), ' Some of these requests have no known price: their cost is not included.') : '',
  );
  return section;
}
