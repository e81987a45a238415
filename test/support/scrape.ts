import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import type { MetricValueWithName, Registry } from 'prom-client';
import type { App } from '../../src/app.ts';
import { call } from './http.ts';

/** GET /metrics, parsed by a Prometheus exposition-format parser (a malformed text throws). */
export async function scrape(app: App, headers: Record<string, string> = {}) {
  const response = await call(app, '/metrics', { headers });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${response.text}`);
  const families = parsePrometheusTextFormat(response.text);
  return { families, text: response.text, contentType: response.headers.get('content-type'), value: (name: string, labels: Record<string, string> = {}) => valueOf(families, name, labels) };
}

/**
 * A counter's or gauge's value for the first sample whose labels include `labels`; 0 when absent.
 * (The parser merges a histogram's labelled series into one, so histograms are read from the
 * registry instead: see `histogramCount`.)
 */
function valueOf(families: ParsedFamily[], name: string, labels: Record<string, string>): number {
  const family = families.find((f) => f.name === name);
  if (family && family.type !== 'COUNTER' && family.type !== 'GAUGE') throw new Error(`${name} is a ${family.type}`);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample ? Number(sample.value) : 0;
}

/** How many observations a histogram of `registry` holds for the series with exactly `labels`. */
export async function histogramCount(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as MetricValueWithName<string>[];
  const sample = values.find((v) => v.metricName === `${name}_count` && Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return sample ? sample.value : 0;
}
