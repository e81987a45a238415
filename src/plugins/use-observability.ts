import { performance } from 'node:perf_hooks';
import { getOperationAST, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { complexityOf, COST_HEADER, costHeaderValue, costOf } from '../ops/cost.ts';
import type { Metrics } from '../ops/metrics.ts';
import { currentScope, requestIdFrom, runInScope, type RequestFacts, type RequestScope } from '../ops/request-scope.ts';
import { routeTemplate } from '../ops/route-template.ts';
import type { Tracing } from '../ops/tracing.ts';

export interface ObservabilityOptions {
  log: Logger;
  metrics: Metrics;
  tracing?: Tracing;
}

// Any other method is one label value: a client cannot add series by inventing methods.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const methodLabel = (method: string) => (METHODS.has(method) ? method : 'OTHER');

// Probes and scrapes arrive every few seconds; their access lines are debug, not info.
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !Array.isArray(result) && !(Symbol.asyncIterator in result);
}

/**
 * Per request: a scope (request id, logger, facts) around the whole handling; an HTTP span, a
 * GraphQL span around each operation; metrics and one access log line when it ends; the
 * `X-Request-Id` and, when asked, `X-Query-Cost` response headers and `extensions.cost`.
 * Only fields chosen here are logged: never headers, the query string (it can hold the session
 * token) or GraphQL variables (they can hold prompt text).
 */
export function useObservability({ log, metrics, tracing }: ObservabilityOptions): Plugin {
  const finish = (request: Request, scope: RequestScope, started: number, failed: unknown) => {
    const { facts } = scope;
    const seconds = (performance.now() - started) / 1000;
    const status = failed === undefined ? (facts.status ?? 500) : 500;
    metrics.http(methodLabel(request.method), facts.route, status, seconds);
    scope.span?.setAttributes({ 'http.response.status_code': status });
    if (status >= 500) scope.span?.fail(failed);
    scope.span?.end();
    const line = {
      method: methodLabel(request.method),
      route: facts.route,
      status,
      durationMs: Math.round(seconds * 1e6) / 1000,
      ...(facts.userId ? { userId: facts.userId } : {}),
      ...(facts.operationName ? { operationName: facts.operationName } : {}),
      statements: facts.statements,
      dbMs: Math.round(facts.dbMs * 1000) / 1000,
      ...(failed === undefined ? {} : { err: failed }),
    };
    scope.log[QUIET_ROUTES.has(facts.route) && status < 500 ? 'debug' : 'info'](line, 'request');
  };

  return {
    instrumentation: {
      async request({ request }, wrapped) {
        const route = routeTemplate(new URL(request.url).pathname);
        const id = requestIdFrom(request.headers);
        const facts: RequestFacts = { route, statements: 0, dbMs: 0, costRequested: request.headers.get(COST_HEADER) === '1' };
        const method = methodLabel(request.method);
        const span = tracing?.startSpan(`${method} ${route}`, 'server', { 'http.request.method': method, 'http.route': route, 'http.request.id': id }, request.headers);
        const scope: RequestScope = { id, log: log.child({ reqId: id }), facts, span };
        const started = performance.now();
        try {
          await runInScope(scope, wrapped);
        } catch (err) {
          finish(request, scope, started, err);
          throw err;
        }
        finish(request, scope, started, undefined);
      },
      async operation(_payload, wrapped) {
        const scope = currentScope();
        if (!tracing || !scope) return wrapped();
        const span = tracing.startSpan('graphql.operation', 'internal', {}, scope.span);
        try {
          await runInScope({ ...scope, span }, wrapped);
        } finally {
          span.end();
        }
      },
    },
    onParams({ params }) {
      const scope = currentScope();
      if (!scope) return;
      if (params.operationName) scope.facts.operationName = params.operationName;
      if ((params.extensions as { cost?: unknown } | undefined)?.cost === true) scope.facts.costRequested = true;
    },
    // Named from the document as soon as it parses, so operations that fail authentication or
    // validation are counted under their name too.
    onParse() {
      return ({ result }) => {
        const scope = currentScope();
        if (!scope || result instanceof Error || !result) return;
        const name = getOperationAST(result as DocumentNode, scope.facts.operationName)?.name?.value;
        if (name) scope.facts.operationName = name;
      };
    },
    onExecute(payload) {
      const scope = currentScope();
      if (!scope) return;
      const args = payload.args as ExecutionArgs;
      const operation = getOperationAST(args.document, args.operationName);
      scope.span?.setAttributes({
        'graphql.operation.type': operation?.operation ?? 'unknown',
        ...(operation?.name ? { 'graphql.operation.name': operation.name.value } : {}),
      });
      if (scope.facts.costRequested) {
        try {
          scope.facts.complexity = complexityOf(args.document, args.operationName, args.schema, args.contextValue as object, { ...args.variableValues });
        } catch {
          // Variables the operation rejects: execution answers that error itself; nothing ran to rate.
        }
      }
    },
    onResultProcess(payload) {
      const { result } = payload;
      const scope = currentScope();
      if (!scope || !isSingleResult(result)) return;
      const errors: readonly GraphQLError[] = result.errors ?? [];
      const outcome = errors.length === 0 ? 'success' : result.data ? 'partial' : 'error';
      metrics.operation(scope.facts.operationName, outcome, errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'UNKNOWN')));
      if (scope.facts.costRequested) payload.setResult({ ...result, extensions: { ...result.extensions, cost: costOf(scope.facts) } });
    },
    onResponse({ response }) {
      const scope = currentScope();
      if (!scope) return;
      scope.facts.status = response.status;
      response.headers.set('x-request-id', scope.id);
      if (scope.facts.costRequested) response.headers.set(COST_HEADER, costHeaderValue(costOf(scope.facts)));
    },
  };
}
