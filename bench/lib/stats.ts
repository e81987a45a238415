/** Small numeric helpers for the harness (latencies in milliseconds). */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(xs: readonly number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

export interface LoadResult {
  /** Successful requests per second over the measured window. */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  /** Non-2xx responses, socket errors and timeouts. */
  failures: number;
  seconds: number;
}

export function summarise(latencies: number[], failures: number, seconds: number): LoadResult {
  const sorted = latencies.sort((a, b) => a - b);
  return {
    rps: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    requests: sorted.length,
    failures,
    seconds,
  };
}

export const ms = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : 'n/a');
export const fixed = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
