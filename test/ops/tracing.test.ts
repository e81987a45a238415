import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createTracing } from '../../src/ops/otel.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addPrompt, addUser } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';
import { ROOT, startServer } from '../support/process.ts';

let owner: { id: string; token: string };
let interception: string;

function traced() {
  const exporter = new InMemorySpanExporter();
  return { exporter, tracing: createTracing(new SimpleSpanProcessor(exporter)) };
}

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describeEachDb(
  'tracing',
  (ctx) => {
    it('exports one trace with HTTP, GraphQL and SQL spans for a nested query', async () => {
      const { exporter, tracing } = traced();
      const app = createApp({ db: ctx().db, tracing });
      const res = await gql(app, 'query Nested { interceptions(first: 5) { edges { node { model userPrompts { prompt } } } } }', undefined, owner.token);
      expect(res.body.data.interceptions.edges).toHaveLength(1);

      const spans = exporter.getFinishedSpans();
      expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
      const http = spans.filter((s) => s.name === 'POST /graphql');
      const graphql = spans.filter((s) => s.name === 'graphql.operation');
      expect(http).toHaveLength(1);
      expect(graphql).toHaveLength(1);
      expect(http[0].attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200 });
      expect(graphql[0].attributes).toMatchObject({ 'graphql.operation.name': 'Nested', 'graphql.operation.type': 'query' });
      expect(parentOf(graphql[0])).toBe(http[0].spanContext().spanId);
      // Authentication and the page with its prompts (one JSON statement, src/graphql/page-json.ts):
      // each statement a child of the operation.
      const sql = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
      expect(sql.map((s) => s.name).sort()).toEqual(['auth.apiKey', 'interceptions.pageJson']);
      for (const s of sql) expect(parentOf(s)).toBe(graphql[0].spanContext().spanId);
      // Statement text has placeholders; values (ids, search text, tokens) are never attributes.
      expect(JSON.stringify(sql.map((s) => s.attributes))).not.toContain(owner.token.split('-')[0]);
    });

    it("continues the caller's trace from its traceparent header, and traces REST statements", async () => {
      const { exporter, tracing } = traced();
      const app = createApp({ db: ctx().db, tracing });
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      await call(app, `/api/v2/aibridge/sessions/${interception}`, { token: owner.token, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      const spans = exporter.getFinishedSpans();
      const http = spans.find((s) => s.name === 'GET /api/v2/aibridge/sessions/{id}')!;
      expect(http.spanContext().traceId).toBe(traceId);
      expect(parentOf(http)).toBe('00f067aa0ba902b7');
      const sql = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
      expect(sql.length).toBeGreaterThanOrEqual(2);
      for (const s of sql) expect(parentOf(s)).toBe(http.spanContext().spanId);
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'trace-owner', role: 'owner' });
    interception = await addInterception(db, { initiatorId: owner.id, startedAt: '2026-03-01T10:00:00Z' });
    await addPrompt(db, { interceptionId: interception, prompt: 'hello', createdAt: '2026-03-01T10:00:01Z' });
  },
);

// A resolve hook that refuses every @opentelemetry/* module: the server starts only if none is imported.
const REFUSE_OTEL = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@opentelemetry/')) throw new Error('OpenTelemetry module loaded: ' + specifier);
  return next(specifier, context);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(REFUSE_OTEL)}`)});`;
const ENTRY = { cwd: ROOT, args: ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, 'src/main.ts'] };

it('loads no OpenTelemetry module unless OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'aibridge-otel-'));
  try {
    const server = await startServer({ DATA_DIR: dataDir }, { entry: ENTRY });
    const response = await fetch(new URL('/graphql', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(response.status).toBe(401);
    expect(await server.stop()).toBe(0);
    // The same hook stops a server that does load the SDK: the check above can fail.
    await expect(startServer({ DATA_DIR: dataDir, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, { entry: ENTRY })).rejects.toThrow(/OpenTelemetry module loaded: @opentelemetry\//);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);

it('exports the spans of a served request over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, flushed when the process drains', async () => {
  const received: { path: string; body: string }[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  const { port } = collector.address() as { port: number };
  const dataDir = await mkdtemp(path.join(tmpdir(), 'aibridge-otlp-'));
  try {
    const server = await startServer({ DATA_DIR: dataDir, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'gateway-under-test' });
    await fetch(new URL('/graphql', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'coder-session-token': server.token! }, body: '{"query":"query Probe { viewer { username } }"}' });
    expect(await server.stop()).toBe(0);
    const traces = received.filter((r) => r.path === '/v1/traces').map((r) => r.body).join('\n');
    expect(traces).toContain('POST /graphql');
    expect(traces).toContain('graphql.operation');
    expect(traces).toContain('auth.apiKey');
    expect(traces).toContain('gateway-under-test');
  } finally {
    collector.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);
