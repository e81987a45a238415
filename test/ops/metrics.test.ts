import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createMetrics, MAX_OPERATION_NAMES, OTHER_OPERATION, type PoolStats } from '../../src/ops/metrics.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addUser } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';
import { histogramCount, scrape } from '../support/scrape.ts';

let owner: { id: string; token: string };
let interception: string;

describeEachDb(
  '/metrics',
  (ctx) => {
    it('serves the Prometheus text format, and its counters move under requests', async () => {
      const metrics = createMetrics();
      const app = createApp({ db: ctx().db, metrics });
      const before = await scrape(app);
      expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);

      await call(app, `/api/v2/aibridge/sessions/${interception}`, { token: owner.token });
      await call(app, `/api/v2/aibridge/sessions/${interception}`, { token: owner.token });
      await call(app, '/api/v2/aibridge/interceptions', { token: 'bad-token' });
      await call(app, '/nowhere/123', { method: 'PROPFIND' });
      const statuses = [
        await gql(app, 'query Mine { viewer { username } }', undefined, owner.token),
        await gql(app, 'query Mine { viewer { username } }', undefined, 'bad-token'),
        await gql(app, 'query Broken { nope }', undefined, owner.token),
      ].map((r) => String(r.status));

      const after = await scrape(app);
      const delta = (name: string, labels: Record<string, string> = {}) => after.value(name, labels) - before.value(name, labels);
      // Routes are templates: the session id is in no label.
      expect(delta('aibridge_http_requests_total', { method: 'GET', route: '/api/v2/aibridge/sessions/{id}', status: '200' })).toBe(2);
      expect(delta('aibridge_http_requests_total', { route: '/api/v2/aibridge/interceptions', status: '401' })).toBe(1);
      expect(statuses).toEqual(['200', '401', '200']);
      expect(delta('aibridge_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(2);
      expect(delta('aibridge_http_requests_total', { method: 'POST', route: '/graphql', status: '401' })).toBe(1);
      expect(await histogramCount(metrics.registry, 'aibridge_http_request_duration_seconds', { method: 'GET', route: '/api/v2/aibridge/sessions/{id}' })).toBe(2);
      expect(after.text).not.toContain(interception);
      // Unknown paths and methods share one label value each.
      expect(delta('aibridge_http_requests_total', { method: 'OTHER', route: 'unmatched', status: '404' })).toBe(1);
      expect(after.text).not.toMatch(/PROPFIND|nowhere/);
      expect(delta('aibridge_graphql_operations_total', { operation: 'Mine', outcome: 'success' })).toBe(1);
      expect(delta('aibridge_graphql_operations_total', { operation: 'Mine', outcome: 'error' })).toBe(1);
      expect(delta('aibridge_graphql_operations_total', { operation: 'Broken', outcome: 'error' })).toBe(1);
      expect(delta('aibridge_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
      expect(delta('aibridge_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
      // The token is looked up once per request that reaches authentication with a well-formed
      // one: the two REST reads and the valid GraphQL query (validation stops Broken before it).
      expect(delta('aibridge_sql_statements_total', { statement: 'auth.apiKey', outcome: 'ok' })).toBe(3);
      expect(await histogramCount(metrics.registry, 'aibridge_sql_statement_duration_seconds', { statement: 'auth.apiKey' })).toBe(after.value('aibridge_sql_statements_total', { statement: 'auth.apiKey', outcome: 'ok' }));
    });

    it('answers /metrics only to the bearer of METRICS_TOKEN when one is set', async () => {
      const app = createApp({ db: ctx().db, metricsToken: 'scrape-secret-0123456789' });
      expect((await call(app, '/metrics')).status).toBe(401);
      expect((await call(app, '/metrics', { headers: { authorization: 'Bearer wrong-secret-0123456789' } })).status).toBe(401);
      const ok = await scrape(app, { authorization: 'Bearer scrape-secret-0123456789' });
      expect(ok.families.map((f) => f.name)).toContain('aibridge_http_requests_total');
    });

    it('reports process metrics and the pool of a PostgreSQL database', async () => {
      const { db } = ctx();
      const pool = (db as { pool?: PoolStats }).pool;
      const app = createApp({ db, metrics: createMetrics({ processMetrics: true, pool }) });
      await call(app, '/api/v2/aibridge/models', { token: owner.token });
      const { families, value } = await scrape(app);
      const names = families.map((f) => f.name);
      expect(names).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']));
      if (ctx().kind === 'postgres') {
        expect(value('aibridge_db_pool_size')).toBeGreaterThanOrEqual(1);
        expect(names).toEqual(expect.arrayContaining(['aibridge_db_pool_idle', 'aibridge_db_pool_waiting']));
      } else {
        expect(names).not.toContain('aibridge_db_pool_size');
      }
    });

    it(`keeps at most ${MAX_OPERATION_NAMES} client-chosen operation names as labels`, async () => {
      const app = createApp({ db: ctx().db });
      for (let i = 0; i <= MAX_OPERATION_NAMES; i++) await gql(app, `query Op${i} { viewer { username } }`, undefined, owner.token);
      const { families, value } = await scrape(app);
      const labels = families.find((f) => f.name === 'aibridge_graphql_operations_total')!.metrics.map((m) => m.labels!.operation);
      expect(new Set(labels).size).toBe(MAX_OPERATION_NAMES + 1);
      expect(value('aibridge_graphql_operations_total', { operation: OTHER_OPERATION })).toBe(1);
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'metrics-owner', role: 'owner' });
    interception = await addInterception(db, { initiatorId: owner.id, startedAt: '2026-03-01T10:00:00Z' });
  },
);
