import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// uPlot draws on canvas: ~50 KB minified, thousands of points in a few milliseconds. The charts
// here are its bars; stacking and categorical axes are done in this file (uPlot has neither built in).

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const color = (i: number) => PALETTE[i % PALETTE.length];

export interface Stack {
  label: string;
  values: number[];
  /** Default: by position. */
  color?: string;
}

/** What a chart drew, on its element, for people's tools and the browser test alike. */
function describe(el: HTMLElement, points: number, series: number, total: number) {
  el.dataset.points = String(points);
  el.dataset.series = String(series);
  el.dataset.total = String(total);
}

/** Sizes the chart to its element's width, now and whenever that changes (narrow windows). */
function fit(el: HTMLElement, plot: uPlot, height: number): uPlot {
  const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height }));
  observer.observe(el);
  const destroy = plot.destroy.bind(plot);
  plot.destroy = () => {
    observer.disconnect();
    destroy();
  };
  return plot;
}

/**
 * Stacked bars over time: one bar per bucket (xs: bucket starts, seconds), the stacks drawn
 * largest cumulative first so each shorter one paints over the one below it.
 */
export function stackedBars(el: HTMLElement, opts: { xs: number[]; stacks: Stack[]; timeZone: string; format: (v: number) => string; axis: (v: number) => string }): uPlot {
  el.replaceChildren();
  const { xs, stacks } = opts;
  const cumulative: number[][] = [];
  stacks.forEach((s, i) => cumulative.push(s.values.map((v, j) => v + (i ? cumulative[i - 1][j] : 0))));
  const order = stacks.map((_, i) => stacks.length - 1 - i);
  const step = xs.length > 1 ? xs[1] - xs[0] : 3600;
  const height = 260;
  const plot = new uPlot(
    {
      width: Math.max(280, el.clientWidth),
      height,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), opts.timeZone),
      scales: { x: { time: true, range: () => [xs[0] - step / 2, xs[xs.length - 1] + step / 2] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
      axes: [{ stroke: '#555' }, { stroke: '#555', size: 70, values: (_u, vals) => vals.map(opts.axis) }],
      legend: { live: true },
      cursor: { points: { show: false } },
      series: [
        {},
        ...order.map((i) => ({
          label: stacks[i].label,
          fill: stacks[i].color ?? color(i),
          stroke: stacks[i].color ?? color(i),
          width: 0,
          paths: uPlot.paths.bars!({ size: [0.8, 64] }),
          points: { show: false },
          value: (_u: uPlot, _v: number | null, _si: number, di: number | null) => (di == null ? '' : opts.format(stacks[i].values[di])),
        })),
      ],
    },
    [xs, ...order.map((i) => cumulative[i])],
    el,
  );
  const total = stacks.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
  describe(el, xs.length, stacks.length, total);
  return fit(el, plot, height);
}

/** Bars per category (model names on the x axis), several series side by side. */
export function categoryBars(el: HTMLElement, opts: { categories: string[]; series: Stack[]; format: (v: number) => string }): uPlot {
  el.replaceChildren();
  const n = opts.categories.length;
  const height = 280;
  const aligns: (-1 | 0 | 1)[] = opts.series.length === 2 ? [-1, 1] : opts.series.map(() => 0);
  const plot = new uPlot(
    {
      width: Math.max(280, el.clientWidth),
      height,
      scales: { x: { time: false, range: [-0.5, n - 0.5] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: '#555', splits: () => opts.categories.map((_, i) => i), values: (_u, vals) => vals.map((v) => opts.categories[v] ?? ''), rotate: n > 5 ? -30 : 0, size: n > 5 ? 90 : 40, gap: 4 },
        { stroke: '#555', size: 70, values: (_u, vals) => vals.map(opts.format) },
      ],
      legend: { live: true },
      cursor: { points: { show: false } },
      series: [
        { value: (_u, v) => (v == null ? '' : (opts.categories[v] ?? '')) },
        ...opts.series.map((s, i) => ({
          label: s.label,
          fill: color(i),
          stroke: color(i),
          width: 0,
          paths: uPlot.paths.bars!({ size: [0.35, 48], align: aligns[i] }),
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v == null ? '' : opts.format(v)),
        })),
      ],
    },
    [opts.categories.map((_, i) => i), ...opts.series.map((s) => s.values)],
    el,
  );
  const total = opts.series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
  describe(el, n, opts.series.length, total);
  return fit(el, plot, height);
}
