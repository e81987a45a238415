/**
 * Tracing as the rest of the gateway sees it: a small interface, so that nothing of the
 * OpenTelemetry SDK is loaded unless OTEL_EXPORTER_OTLP_ENDPOINT is set (./otel.ts holds the
 * SDK side and is imported dynamically; only types come from @opentelemetry here).
 */
export type SpanKindName = 'server' | 'internal' | 'client';
export type Attributes = Record<string, string | number | boolean>;

export interface SpanHandle {
  setAttributes(attributes: Attributes): void;
  /** Marks the span failed; `error` is recorded as an exception event (message and type only). */
  fail(error?: unknown): void;
  end(): void;
}

export interface Tracing {
  /** A span under `parent`, or under the caller's `traceparent` header for the first (server) span. */
  startSpan(name: string, kind: SpanKindName, attributes: Attributes, parent?: SpanHandle | Headers): SpanHandle;
  /** Flushes what is buffered (called when the process drains). */
  shutdown(): Promise<void>;
}

/** OTLP/HTTP tracing when an endpoint is configured; undefined (and no SDK loaded) otherwise. */
export async function startTracing(endpoint: string | undefined): Promise<Tracing | undefined> {
  if (!endpoint) return undefined;
  const { otlpTracing } = await import('./otel.ts');
  return otlpTracing();
}
