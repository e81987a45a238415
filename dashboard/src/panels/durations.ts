import { categoryBars } from '../charts';
import { h } from '../dom';
import { duration } from '../format';
import type { DashboardDurationsQuery } from '../generated/graphql';

type Groups = DashboardDurationsQuery['usage']['groups'];

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
