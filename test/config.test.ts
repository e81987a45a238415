import { expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type Config } from '../src/config.ts';

it('defaults to embedded mode on 127.0.0.1:4000 with ./.data', () => {
  expect(loadConfig({})).toMatchObject({ databaseUrl: undefined, readOnly: false, port: 4000, host: '127.0.0.1', dataDir: './.data', graphiql: true });
});

// One example per variable: the value to set and the settings it must change (nothing else may).
const EXAMPLES: Record<string, { value: string; sets: Partial<Config> }> = {
  DATABASE_URL: { value: 'postgres://u@h/db', sets: { databaseUrl: 'postgres://u@h/db' } },
  READ_ONLY: { value: '1', sets: { readOnly: true } },
  STATE_DATABASE_URL: { value: 'postgres://s@h/state', sets: { stateDatabaseUrl: 'postgres://s@h/state' } },
  PORT: { value: '8080', sets: { port: 8080 } },
  HOST: { value: '0.0.0.0', sets: { host: '0.0.0.0' } },
  DATA_DIR: { value: '/var/x', sets: { dataDir: '/var/x' } },
  GRAPHIQL: { value: 'false', sets: { graphiql: false } },
  INTROSPECTION: { value: 'off', sets: { introspection: false } },
  DB_POOL_SIZE: { value: '25', sets: { poolSize: 25 } },
  DATABASE_REPLICA_URLS: { value: 'postgres://r1@h/db, postgres://r2@h/db', sets: { replicaUrls: ['postgres://r1@h/db', 'postgres://r2@h/db'] } },
  COUNT_CACHE_TTL_MS: { value: '2000', sets: { countCacheTtlMs: 2000 } },
  USAGE_ROLLUP_INTERVAL_MS: { value: '0', sets: { rollupIntervalMs: 0 } },
  USAGE_ROLLUP_GRACE_MS: { value: '60000', sets: { rollupGraceMs: 60_000 } },
  LOG_LEVEL: { value: 'debug', sets: { logLevel: 'debug' } },
  METRICS_TOKEN: { value: 'scrape-secret-0123456789', sets: { metricsToken: 'scrape-secret-0123456789' } },
  OTEL_EXPORTER_OTLP_ENDPOINT: { value: 'http://collector:4318', sets: { otelEndpoint: 'http://collector:4318' } },
  LIVE_POLL_MS: { value: '250', sets: { livePollMs: 250 } },
  LIVE_POLL_MAX_MS: { value: '20000', sets: { livePollMaxMs: 20000 } },
  LIVE_MAX_PER_USER: { value: '3', sets: { liveMaxPerUser: 3 } },
  LIVE_MAX_SUBSCRIPTIONS: { value: '50', sets: { liveMaxSubscriptions: 50 } },
};

it('has an example for every variable the config reads', () => {
  expect(Object.keys(EXAMPLES).sort()).toEqual([...CONFIG_VARIABLES].sort());
});

it('has a variable for every setting', () => {
  const covered = new Set(Object.values(EXAMPLES).flatMap(({ sets }) => Object.keys(sets)));
  expect([...covered].sort()).toEqual(Object.keys(loadConfig({})).sort());
});

// READ_ONLY is only valid with a database, so every example starts from one.
const BASE = { DATABASE_URL: 'postgres://base@h/db' };

it.each(Object.entries(EXAMPLES))('reads %s into its own setting and changes no other', (name, { value, sets }) => {
  const before: Record<string, unknown> = { ...loadConfig(BASE) };
  const after: Record<string, unknown> = { ...loadConfig({ ...BASE, [name]: value }) };
  const changed = Object.fromEntries(Object.keys(after).filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k])).map((k) => [k, after[k]]));
  expect(changed).toEqual(sets);
});

it('lists every problem in one error', () => {
  let error: unknown;
  try {
    loadConfig({ DATABASE_URL: 'mysql://x', READ_ONLY: 'maybe', PORT: '99999' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems;
  expect(problems).toHaveLength(3);
  expect(problems.join('\n')).toMatch(/DATABASE_URL/);
  expect(problems.join('\n')).toMatch(/READ_ONLY/);
  expect(problems.join('\n')).toMatch(/PORT/);
});

it('refuses a replica URL that is not PostgreSQL, and replicas without a primary', () => {
  expect(() => loadConfig({ ...BASE, DATABASE_REPLICA_URLS: 'postgres://r@h/db,mysql://x' })).toThrow(/DATABASE_REPLICA_URLS.*postgres/);
  expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'postgres://r@h/db' })).toThrow(/DATABASE_REPLICA_URLS: needs DATABASE_URL/);
});

it('refuses READ_ONLY without a database to read', () => {
  expect(() => loadConfig({ READ_ONLY: 'true' })).toThrow(/READ_ONLY: needs DATABASE_URL/);
});

it('refuses an unknown LOG_LEVEL, a guessable METRICS_TOKEN and an OTLP endpoint that is not HTTP', () => {
  let error: unknown;
  try {
    loadConfig({ LOG_LEVEL: 'verbose', METRICS_TOKEN: 'short', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' });
  } catch (e) {
    error = e;
  }
  const problems = (error as ConfigError).problems.join('\n');
  expect(problems).toMatch(/LOG_LEVEL/);
  expect(problems).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
  expect(problems).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/);
});
