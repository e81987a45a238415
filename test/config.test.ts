import { expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

it('defaults to embedded mode on 127.0.0.1:4000 with ./.data', () => {
  expect(loadConfig({})).toMatchObject({ databaseUrl: undefined, readOnly: false, port: 4000, host: '127.0.0.1', dataDir: './.data', graphiql: true });
});

it('reads every variable', () => {
  const c = loadConfig({ DATABASE_URL: 'postgres://u@h/db', READ_ONLY: '1', PORT: '8080', HOST: '0.0.0.0', DATA_DIR: '/var/x', GRAPHIQL: 'false' });
  expect(c).toMatchObject({ databaseUrl: 'postgres://u@h/db', readOnly: true, port: 8080, host: '0.0.0.0', dataDir: '/var/x', graphiql: false });
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

it('refuses READ_ONLY without a database to read', () => {
  expect(() => loadConfig({ READ_ONLY: 'true' })).toThrow(/READ_ONLY: needs DATABASE_URL/);
});
