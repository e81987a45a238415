import { color, stackedBars, type Stack } from '../charts';
import { figure, h } from '../dom';
import { compactNumber, count, plural, ratio, tokens, usd } from '../format';
import type { DashboardOverviewQuery } from '../generated/graphql';
import { FILTER_KEYS, RANGES, type ViewState } from '../url-state';

type Totals = DashboardOverviewQuery['summary']['totals'];
type Group = DashboardOverviewQuery['overTime']['groups'][number];

/** The headline figures of the range; unpriced usage is called out, never shown as $0. */
export function totalsCards(t: Totals): HTMLElement {
  const allTokens = t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWriteTokens;
  const card = (label: string, value: HTMLElement, note?: string | HTMLElement, warn = false) =>
    h('div', { class: `card${warn ? ' warn' : ''}` }, h('div', { class: 'label' }, label), value, note ? h('div', { class: 'note' }, note) : null);
  return h(
    'div',
    { class: 'cards', id: 'totals' },
    card('Spend', figure('cost', usd(t.cost.total), t.cost.total)),
    card('Tokens', figure('tokens', tokens(allTokens), allTokens), `${compactNumber(t.inputTokens)} in · ${compactNumber(t.outputTokens)} out`),
    card('Requests', figure('requests', count(t.requests), t.requests), `${plural(t.sessions, 'session')} · ${plural(t.users, 'user')}`),
    card('Cache savings', figure('cacheSavings', usd(t.cost.cacheSavings), t.cost.cacheSavings), `cache hit ratio ${ratio(t.cacheHitRatio)}`),
    card(
      'Unpriced usage',
      figure('unpricedRequests', plural(t.cost.unpricedRequests, 'request'), t.cost.unpricedRequests),
      t.cost.unpricedRequests ? `${tokens(t.cost.unpricedTokens)} tokens without a known price are not in the spend` : t.requests ? 'every request has a price' : 'no requests',
      t.cost.unpricedRequests > 0,
    ),
  );
}

/** Series per key (model or provider), the largest first; past the seventh, one "other" series. */
function stacks(groups: Group[], xs: number[], key: (g: Group) => string, value: (g: Group) => number): Stack[] {
  const index = new Map(xs.map((x, i) => [x, i]));
  const byKey = new Map<string, number[]>();
  for (const g of groups) {
    const k = key(g);
    const values = byKey.get(k) ?? byKey.set(k, xs.map(() => 0)).get(k)!;
    values[index.get(Date.parse(g.bucketStart!) / 1000)!] += value(g);
  }
  const sum = (vs: number[]) => vs.reduce((a, b) => a + b, 0);
  const ranked = [...byKey.entries()].filter(([, vs]) => sum(vs) > 0).sort((a, b) => sum(b[1]) - sum(a[1]));
  const shown = ranked.slice(0, 7).map(([label, values]) => ({ label, values }));
  if (ranked.length > 7) shown.push({ label: 'other', values: xs.map((_, i) => ranked.slice(7).reduce((a, [, vs]) => a + vs[i], 0)) });
  return shown;
}

/** Spend and tokens per bucket, stacked by the chosen key. */
export function overTimeCharts(groups: Group[], opts: { stack: 'model' | 'provider'; timeZone: string; bucket: string }): HTMLElement[] {
  const xs = [...new Set(groups.map((g) => Date.parse(g.bucketStart!) / 1000))].sort((a, b) => a - b);
  const key = (g: Group) => (opts.stack === 'model' ? g.model : g.provider) ?? 'Unknown';
  const spendEl = h('div', { class: 'chart', id: 'chart-spend', role: 'img', 'aria-label': `Spend per ${opts.bucket.toLowerCase()}, stacked by ${opts.stack}` });
  const tokensEl = h('div', { class: 'chart', id: 'chart-tokens', role: 'img', 'aria-label': `Tokens per ${opts.bucket.toLowerCase()}, stacked by ${opts.stack}` });
  const spend = stacks(groups, xs, key, (g) => Number(g.figures.cost.total));
  const toks = stacks(groups, xs, key, (g) => g.figures.inputTokens + g.figures.outputTokens + g.figures.cacheReadTokens + g.figures.cacheWriteTokens);
  // One color per model (or provider) in both charts, in order of spend.
  const colors = new Map<string, string>();
  for (const s of [...spend, ...toks]) if (!colors.has(s.label)) colors.set(s.label, s.label === 'other' ? '#bab0ac' : color(colors.size));
  for (const s of [...spend, ...toks]) s.color = colors.get(s.label);
  const panel = (title: string, el: HTMLElement, data: Stack[], draw: () => void) => {
    const section = h('section', { class: 'panel' }, h('h2', {}, title), data.length ? el : h('p', { class: 'notice empty' }, 'No usage in this range and filter. Widen the range or clear a filter.'));
    // Drawn once attached: uPlot sizes itself from the element's width.
    if (data.length) requestAnimationFrame(draw);
    return section;
  };
  const per = opts.bucket.toLowerCase();
  return [
    panel(`Spend per ${per}, by ${opts.stack}`, spendEl, spend, () => stackedBars(spendEl, { xs, stacks: spend, timeZone: opts.timeZone, format: usd, axis: (v) => usd(v) })),
    panel(`Tokens per ${per}, by ${opts.stack}`, tokensEl, toks, () => stackedBars(tokensEl, { xs, stacks: toks, timeZone: opts.timeZone, format: tokens, axis: compactNumber })),
  ];
}

/**
 * When the view matches no request at all: say so, say which filters and range did it, and offer
 * the two ways out (a longer range, no filters) as buttons.
 */
export function emptyState(state: ViewState, navigate: (next: ViewState) => void): HTMLElement {
  const set = FILTER_KEYS.filter((k) => state[k]);
  const range = state.range === 'custom' ? 'the chosen days' : `the last ${RANGES[state.range]}`;
  const what = set.length ? ` with ${set.map((k) => `${k} ${state[k]}`).join(', ')}` : '';
  const widen = state.range !== '90d';
  return h(
    'div',
    { class: 'notice empty', id: 'empty-state', role: 'status' },
    h('p', {}, h('strong', {}, 'No requests match this view'), ` (${range}${what}). `, widen && set.length ? 'Widen the range or clear the filters.' : widen ? 'Widen the range.' : set.length ? 'Clear the filters.' : 'Nothing has been recorded that you may see yet.'),
    h(
      'p',
      { class: 'actions-inline' },
      widen ? h('button', { type: 'button', id: 'empty-widen', onclick: () => navigate({ ...state, range: '90d', from: undefined, to: undefined, session: undefined }) }, 'Show the last 90 days') : null,
      set.length ? h('button', { type: 'button', id: 'empty-clear', onclick: () => navigate({ ...state, initiator: undefined, provider: undefined, model: undefined, client: undefined, session: undefined }) }, 'Clear the filters') : null,
    ),
  );
}
