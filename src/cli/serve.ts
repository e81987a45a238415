import { createServer } from 'node:http';
import { createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/open.ts';
import { createStderrLogger } from '../ops/logger.ts';
import { createMetrics, type PoolStats } from '../ops/metrics.ts';
import { startTracing } from '../ops/tracing.ts';
import { openPriceStore } from '../prices/state-store.ts';
import { RollupCache } from '../rollups/cache.ts';
import { type Refresher, startRefresher } from '../rollups/refresher.ts';
import { defineCommand, err } from './command.ts';

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** The pg.Pool a PostgreSQL Db carries (src/db/postgres.ts); PGlite has none. */
function poolOf(db: object): PoolStats | undefined {
  const pool = (db as { pool?: Partial<PoolStats> }).pool;
  return pool && typeof pool.totalCount === 'number' ? (pool as PoolStats) : undefined;
}

export const serveCommand = defineCommand({
  words: ['serve'],
  synopsis: 'serve',
  summary: 'start the gateway (the default command)',
  description: `Starts the gateway (the default command). In embedded mode (no DATABASE_URL) the first
start into an empty DATA_DIR writes the demo data set and prints its owner's token.`,
  options: [],
  async run() {
    const config = loadConfig();
    const started = Date.now();
    const log = await createStderrLogger(config.logLevel);
    const tracing = await startTracing(config.otelEndpoint);
    const { db, schema, mode, demoToken } = await openDatabase(config, { seedDemo: true, replicas: true, log: err });
    // The price overrides: the same database in own modes; with READ_ONLY=1 a store of their own
    // (STATE_DATABASE_URL or DATA_DIR/state), so Coder's database is never written.
    const store = await openPriceStore(config, db);
    const shutdown = new AbortController();
    // The usage roll-ups' copy in memory: the app answers from it, the refresher fills it.
    const rollups = new RollupCache();
    const app = createApp({
      db,
      schema,
      prisma: store.prisma,
      log,
      metrics: createMetrics({ processMetrics: true, pool: poolOf(db) }),
      metricsToken: config.metricsToken,
      tracing,
      graphiql: config.graphiql,
      introspection: config.introspection,
      countCacheTtlMs: config.countCacheTtlMs,
      live: {
        pollMs: config.livePollMs,
        pollMaxMs: config.livePollMaxMs,
        maxPerUser: config.liveMaxPerUser,
        maxSubscriptions: config.liveMaxSubscriptions,
      },
      shutdown: shutdown.signal,
      rollups,
      // The page is served before authentication: it carries the owner's token only where nobody
      // but this machine can load it.
      graphiqlHeaders: demoToken && isLoopback(config.host) ? { 'Coder-Session-Token': demoToken } : undefined,
    });
    const server = createServer((req, res) => void app(req, res));
    let refresher: Refresher | null = null;
    // Idle keep-alive connections outlive a load balancer's (60 s is common), so the proxy, not
    // the gateway, closes them: otherwise a request can race the close and be lost.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;

    // Installed before listening, so a signal that arrives as soon as the URL is printed drains too.
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'draining requests');
      // Open subscriptions would hold their connections until the exit timer: their streams get a
      // complete event now, and the connections close like any other idle one below.
      shutdown.abort();
      server.close(() => {
        Promise.all([(refresher?.stop() ?? Promise.resolve()).then(() => store.close()).then(() => db.close()), tracing?.shutdown()]).then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
      // Keep-alive connections outlive their last response by a minute: close each one as soon as
      // its in-flight request has been answered.
      setInterval(() => server.closeIdleConnections(), 100).unref();
      setTimeout(() => process.exit(1), 10_000).unref();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    // Usage roll-ups of closed hours, kept where the price overrides are (src/rollups); started
    // once listening, so a first refresh of a long history never delays the start.
    if (config.rollupIntervalMs > 0 && !stopping) {
      refresher = startRefresher(db, store.prisma, { intervalMs: config.rollupIntervalMs, graceMs: config.rollupGraceMs, log, cache: rollups });
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/graphql`;
    // One write, so a reader never sees the URL without the token that goes with it.
    err(
      [
        `aibridge-graphql (${mode}) ready in ${Date.now() - started} ms`,
        `GraphiQL: ${url}`,
        `Dashboard: ${url.replace(/\/graphql$/, '/dashboard')}`,
        ...(demoToken ? [`Demo owner token (Coder-Session-Token): ${demoToken}`] : []),
      ].join('\n'),
    );
  },
});
