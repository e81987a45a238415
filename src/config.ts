import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from './ops/logger.ts';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const EnvShape = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  READ_ONLY: flag.default(false),
  STATE_DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('./.data'),
  GRAPHIQL: flag.default(true),
  INTROSPECTION: flag.default(true),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_REPLICA_URLS: z
    .string()
    .transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\//, 'each must be a postgres:// or postgresql:// URL')))
    .default([]),
  COUNT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(0),
  USAGE_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  USAGE_ROLLUP_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  // A guessable token would protect nothing.
  METRICS_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .trim()
    .refine((v) => /^https?:\/\//.test(v), 'must be an http:// or https:// URL')
    .optional(),
  // Live updates (src/live/): the shared poller's interval, its idle cap, and subscription limits.
  LIVE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  LIVE_POLL_MAX_MS: z.coerce.number().int().min(50).max(300_000).default(5000),
  LIVE_MAX_PER_USER: z.coerce.number().int().min(1).max(10_000).default(10),
  LIVE_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
});

const EnvSchema = EnvShape.superRefine((env, ctx) => {
  if (env.READ_ONLY && !env.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['READ_ONLY'], message: 'needs DATABASE_URL (read-only mode serves an existing database)' });
  }
  if (env.DATABASE_REPLICA_URLS.length && !env.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['DATABASE_REPLICA_URLS'], message: 'needs DATABASE_URL (replicas serve reads of a primary)' });
  }
  if (env.LIVE_POLL_MAX_MS < env.LIVE_POLL_MS) {
    ctx.addIssue({ code: 'custom', path: ['LIVE_POLL_MAX_MS'], message: 'must not be below LIVE_POLL_MS (the idle backoff only lengthens the interval)' });
  }
});

/** Every environment variable the gateway reads, from the schema itself so no list can fall behind it. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvShape.shape);

export interface Config {
  databaseUrl?: string;
  readOnly: boolean;
  /** READ_ONLY=1 only: where the gateway's own data (price overrides) lives; else PGlite in DATA_DIR. */
  stateDatabaseUrl?: string;
  port: number;
  host: string;
  dataDir: string;
  graphiql: boolean;
  introspection: boolean;
  poolSize: number;
  /** Streaming replicas that serve the gateway's reads (src/db/replicas.ts). */
  replicaUrls: string[];
  /** How old a shared count may be, in ms; 0: only counts in flight are shared. */
  countCacheTtlMs: number;
  /** How often `serve` refreshes the usage roll-ups (src/rollups); 0: never (answers stay exact, computed live past the last refresh). */
  rollupIntervalMs: number;
  /** How long after a UTC hour ends before it may be rolled up (rows written late). */
  rollupGraceMs: number;
  logLevel: LogLevel;
  metricsToken?: string;
  /** Tracing is on (and the OpenTelemetry SDK loaded) only when this is set. */
  otelEndpoint?: string;
  /** Live updates: the poll interval while interceptions keep ending, in ms. */
  livePollMs: number;
  /** Live updates: the longest interval the idle backoff reaches, in ms. */
  livePollMaxMs: number;
  /** Live updates: open subscriptions one user may hold at once. */
  liveMaxPerUser: number;
  /** Live updates: open subscriptions the process holds at once. */
  liveMaxSubscriptions: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; every problem is listed in one error. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL || undefined,
    readOnly: e.READ_ONLY,
    stateDatabaseUrl: e.STATE_DATABASE_URL || undefined,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    graphiql: e.GRAPHIQL,
    introspection: e.INTROSPECTION,
    poolSize: e.DB_POOL_SIZE,
    replicaUrls: e.DATABASE_REPLICA_URLS,
    countCacheTtlMs: e.COUNT_CACHE_TTL_MS,
    rollupIntervalMs: e.USAGE_ROLLUP_INTERVAL_MS,
    rollupGraceMs: e.USAGE_ROLLUP_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    otelEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    livePollMs: e.LIVE_POLL_MS,
    livePollMaxMs: e.LIVE_POLL_MAX_MS,
    liveMaxPerUser: e.LIVE_MAX_PER_USER,
    liveMaxSubscriptions: e.LIVE_MAX_SUBSCRIPTIONS,
  };
}
