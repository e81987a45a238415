import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type DocumentNode } from 'graphql';
import { pino, type Logger } from 'pino';
import type { Db } from './db/db.ts';
import { DatabaseUnavailableError } from './db/db.ts';
import { createSharedReads, sharingReads } from './db/shared-reads.ts';
import { SchemaProbe } from './db/schema-probe.ts';
import { AuthError } from './auth/viewer.ts';
import { InvalidTextError, rejectingNulText } from './domain/text-input.ts';
import type { GraphQLContext } from './graphql/context.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { prismaOver } from './prices/prisma.ts';
import { RollupCache } from './rollups/cache.ts';
import { GRAPHIQL_DEFAULT_QUERY } from './graphql/default-query.ts';
import { compiledExecutionPlugins } from './graphql/execution.ts';
import { schema } from './graphql/index.ts';
import { documentLimitPlugins } from './graphql/limits.ts';
import { LiveFeed, LIVE_DEFAULTS, type LiveOptions } from './live/feed.ts';
import { instrumentedDb } from './ops/instrumented-db.ts';
import { createMetrics, type Metrics } from './ops/metrics.ts';
import { yogaLogger } from './ops/yoga-logger.ts';
import type { Tracing } from './ops/tracing.ts';
import { useBodyLimit, MAX_BODY_BYTES } from './plugins/use-body-limit.ts';
import { useDashboard } from './plugins/use-dashboard.ts';
import { useJsonErrorBodies } from './plugins/use-json-error-bodies.ts';
import { useMetricsEndpoint } from './plugins/use-metrics-endpoint.ts';
import { useObservability } from './plugins/use-observability.ts';
import { usePageJson } from './plugins/use-page-json.ts';
import { useReadiness } from './plugins/use-readiness.ts';
import { useRoutes } from './plugins/use-routes.ts';
import { authenticateRequest } from './rest/router.ts';

export interface AppDeps {
  db: Db;
  graphiql?: boolean;
  /** Schema introspection (on by default); GraphiQL needs it. */
  introspection?: boolean;
  /** Headers GraphiQL starts with (the embedded demo pre-fills the owner's token). */
  graphiqlHeaders?: Record<string, string>;
  /**
   * Where the gateway's own data (price overrides) lives: by default the same database as `db`;
   * null for none (read-only over a Coder database without a state store).
   */
  prisma?: PrismaClient | null;
  /** Told each GraphQL document the first time it runs compiled (see ./graphql/execution.ts). */
  onCompile?: (document: DocumentNode) => void;
  /** COUNT_CACHE_TTL_MS: how old a shared count may be (0, the default: counts in flight only). */
  countCacheTtlMs?: number;
  /** Access lines and errors (default: none). */
  log?: Logger;
  /** Served at /metrics (default: a registry of this app's own, without process metrics). */
  metrics?: Metrics;
  /** Bearer token /metrics requires (METRICS_TOKEN); open when absent. */
  metricsToken?: string;
  /** Spans for requests, operations and statements; absent unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing?: Tracing;
  /** The database's optional Coder parts (src/db/capabilities.ts); one is made for `db` if not given. */
  schema?: SchemaProbe;
  /** Live updates (subscriptions): the shared poller's interval and the subscription limits. */
  live?: Partial<LiveOptions>;
  /** Aborted when the server stops: open subscriptions complete and new ones are refused. */
  shutdown?: AbortSignal;
  /** Answer eligible `interceptions` pages from one JSON statement (src/graphql/page-json.ts); default on. */
  pageJson?: boolean;
  /** The usage roll-ups' copy in memory (src/rollups/cache.ts); `serve` passes its own to warm it after each refresh. */
  rollups?: RollupCache;
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

/** Builds the whole HTTP handler; does no I/O until a request arrives. */
export function createApp(deps: AppDeps): App {
  const log = deps.log ?? pino({ level: 'silent' });
  const metrics = deps.metrics ?? createMetrics();
  // Every statement of a request goes through this guard (see ./domain/text-input.ts), then is
  // timed; a refused statement is never sent, so it is not counted. Counts are shared between
  // the app's concurrent requests (see ./db/shared-reads.ts): a joined count is not sent, so it
  // is not counted either.
  // The schema probe watches every statement too: a lost connection or a vanished column means
  // detecting the optional Coder parts again (src/db/schema-probe.ts).
  const probe = deps.schema ?? new SchemaProbe(deps.db);
  const db = probe.watching(
    rejectingNulText(sharingReads(instrumentedDb(deps.db, metrics, deps.tracing), createSharedReads({ ttlMs: deps.countCacheTtlMs }))),
  );
  const prisma = deps.prisma === undefined ? prismaOver(deps.db) : deps.prisma;
  const live = new LiveFeed(db, { ...LIVE_DEFAULTS, onError: (error) => log.warn({ err: error }, 'live poll failed'), ...deps.live });
  deps.shutdown?.addEventListener('abort', () => void live.close(), { once: true });
  const rollups = deps.rollups ?? new RollupCache();
  return createYoga<Record<string, never>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: yogaLogger(log),
    // The self-contained GraphiQL page: Yoga's default loads its scripts from a CDN, which
    // air-gapped deployments (and a strict Content-Security-Policy) cannot reach.
    renderGraphiQL,
    graphiql: deps.graphiql === false ? false : {
      title: 'aibridge-graphql',
      defaultQuery: GRAPHIQL_DEFAULT_QUERY,
      headers: deps.graphiqlHeaders ? JSON.stringify(deps.graphiqlHeaders, null, 2) : undefined,
      // A prefilled demo token must win over headers a browser kept from an earlier data dir.
      shouldPersistHeaders: !deps.graphiqlHeaders,
    },
    plugins: [
      useBodyLimit(MAX_BODY_BYTES),
      useMetricsEndpoint(metrics.registry, deps.metricsToken),
      useJsonErrorBodies('/graphql'),
      useRoutes(db, probe, prisma),
      useDashboard({ demoHeaders: deps.graphiqlHeaders }),
      useReadiness(db, probe, deps.db.replicaStatus && (() => deps.db.replicaStatus!())),
      ...documentLimitPlugins(),
      ...(deps.introspection === false ? [useDisableIntrospection()] : []),
      ...compiledExecutionPlugins(deps.onCompile),
      // Last, so its response hook sees the response the others may have replaced; its
      // instrumentation wraps the whole request wherever it is listed.
      useObservability({ log, metrics, tracing: deps.tracing }),
      // After the execution plugins: it wraps the execution they chose (and falls back to it).
      ...(deps.pageJson === false ? [] : [usePageJson()]),
    ],
    async context({ request }) {
      try {
        const viewer = await authenticateRequest(db, request);
        return { db, viewer, prisma, schema: probe, live, rollups };
      } catch (err) {
        if (err instanceof AuthError) {
          throw new GraphQLError(err.message, { extensions: { code: 'UNAUTHENTICATED', detail: err.detail, http: { status: 401 } } });
        }
        throw err;
      }
    },
    maskedErrors: {
      maskError(error, message) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof DatabaseUnavailableError) {
          return new GraphQLError('The database is unavailable.', { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
        }
        // Client mistakes are returned as the same object, given a code where graphql-js gives
        // none (bad variable values): Yoga logs every error that maskError replaces, and these
        // are not the server's problem.
        const clientError = (e: GraphQLError) => {
          (e.extensions as Record<string, unknown>).code ??= 'BAD_USER_INPUT';
          return e;
        };
        if (original instanceof InvalidTextError && error instanceof GraphQLError) return clientError(error);
        // Expected errors keep their path and locations; only unexpected ones are replaced. Ours
        // carry a code and Pothos's argument checks (`first: -1`) are the caller's; any other
        // code-less GraphQLError raised while executing (it has a path) comes from graphql-js,
        // graphql-jit or a scalar failing on what the server produced (an enum value Coder
        // added, a sum past SafeInt): the server's fault.
        if (error instanceof GraphQLError && (!error.originalError || original instanceof GraphQLError)) {
          if (error.extensions.code !== undefined || error.path === undefined || original instanceof PothosValidationError) return clientError(error);
        }
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
  });
}
