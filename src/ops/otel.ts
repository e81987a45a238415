/**
 * The OpenTelemetry SDK side of ./tracing.ts, imported only when tracing is configured. Spans
 * are parented explicitly (the request scope carries the open span) instead of through a global
 * context manager, so nothing here registers process-wide state.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Attributes, SpanHandle, SpanKindName, Tracing } from './tracing.ts';

const KINDS: Record<SpanKindName, SpanKind> = { server: SpanKind.SERVER, internal: SpanKind.INTERNAL, client: SpanKind.CLIENT };
const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
  keys: (carrier: Headers) => [...carrier.keys()],
};

class OtelSpan implements SpanHandle {
  constructor(readonly span: Span) {}
  setAttributes(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }
  fail(error?: unknown): void {
    // Name and message only: a stack trace or a driver error's detail could quote input.
    if (error instanceof Error) this.span.recordException({ name: error.name, message: error.message });
    this.span.setStatus({ code: SpanStatusCode.ERROR });
  }
  end(): void {
    this.span.end();
  }
}

/** Tracing through the given span processor (tests pass an in-memory exporter's). */
export function createTracing(processor: SpanProcessor): Tracing {
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the default name, as the spec says.
  const resource = resourceFromAttributes({ 'service.name': 'aibridge-graphql' }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  const tracer: Tracer = provider.getTracer('aibridge-graphql');
  return {
    startSpan(name, kind, attributes, parent) {
      const context =
        parent instanceof OtelSpan
          ? trace.setSpan(ROOT_CONTEXT, parent.span)
          : parent instanceof Headers
            ? propagator.extract(ROOT_CONTEXT, parent, headerGetter)
            : ROOT_CONTEXT;
      return new OtelSpan(tracer.startSpan(name, { kind: KINDS[kind], attributes }, context));
    },
    shutdown: () => provider.shutdown(),
  };
}

/** Batched OTLP/HTTP export; the exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers) itself. */
export function otlpTracing(): Tracing {
  return createTracing(new BatchSpanProcessor(new OTLPTraceExporter()));
}
