import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The connection pool's state, read at each scrape (pg.Pool's counters). */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop lag, GC): on for a served process. */
  processMetrics?: boolean;
  pool?: PoolStats;
}

/**
 * GraphQL operation names are chosen by clients, so they are kept as label values only up to
 * this many distinct names (per process); later new names are counted as OTHER_OPERATION.
 */
export const MAX_OPERATION_NAMES = 100;
export const OTHER_OPERATION = '__other';
export const ANONYMOUS_OPERATION = '__anonymous';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SQL_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];

export type Metrics = ReturnType<typeof createMetrics>;

/** One registry per app: tests build many apps, and none shares counters with another. */
export function createMetrics({ processMetrics = false, pool }: MetricsOptions = {}) {
  const registry = new Registry();
  const registers = [registry];
  if (processMetrics) collectDefaultMetrics({ register: registry });

  const httpRequests = new Counter({ name: 'aibridge_http_requests_total', help: 'HTTP requests by method, route template and status.', labelNames: ['method', 'route', 'status'] as const, registers });
  const httpDuration = new Histogram({ name: 'aibridge_http_request_duration_seconds', help: 'HTTP request duration by method and route template.', labelNames: ['method', 'route'] as const, buckets: HTTP_BUCKETS, registers });
  const operations = new Counter({ name: 'aibridge_graphql_operations_total', help: 'GraphQL operations by operation name and outcome (success, partial, error).', labelNames: ['operation', 'outcome'] as const, registers });
  const errors = new Counter({ name: 'aibridge_graphql_errors_total', help: 'GraphQL errors in responses by extensions.code.', labelNames: ['code'] as const, registers });
  const statements = new Counter({ name: 'aibridge_sql_statements_total', help: 'SQL statements sent by statement name and outcome (ok, error).', labelNames: ['statement', 'outcome'] as const, registers });
  const statementDuration = new Histogram({ name: 'aibridge_sql_statement_duration_seconds', help: 'SQL statement duration by statement name.', labelNames: ['statement'] as const, buckets: SQL_BUCKETS, registers });
  if (pool) {
    const gauge = (name: string, help: string, read: (p: PoolStats) => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read(pool)); } });
    gauge('aibridge_db_pool_size', 'Connections open in the PostgreSQL pool.', (p) => p.totalCount);
    gauge('aibridge_db_pool_idle', 'Open pool connections not running a statement.', (p) => p.idleCount);
    gauge('aibridge_db_pool_waiting', 'Statements waiting for a pool connection.', (p) => p.waitingCount);
  }

  const names = new Set<string>();
  const operationLabel = (name: string | undefined) => {
    if (!name) return ANONYMOUS_OPERATION;
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return OTHER_OPERATION;
    names.add(name);
    return name;
  };

  return {
    registry,
    http(method: string, route: string, status: number, seconds: number) {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
    operation(name: string | undefined, outcome: 'success' | 'partial' | 'error', codes: string[]) {
      operations.inc({ operation: operationLabel(name), outcome });
      for (const code of codes) errors.inc({ code });
    },
    statement(name: string, ok: boolean, seconds: number) {
      statements.inc({ statement: name, outcome: ok ? 'ok' : 'error' });
      statementDuration.observe({ statement: name }, seconds);
    },
  };
}
