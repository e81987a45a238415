import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createApp } from './app.ts';
import { CONFIG_VARIABLES, ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/open.ts';
import { seed } from './db/seed.ts';
import { createToken, createUser, ROLES, UserInputError, type Role } from './db/users.ts';

const USAGE = `usage: aibridge-graphql <command>

  serve                                   start the gateway (default)
  seed [--interceptions N] [--seed S]     write deterministic demo data
  user create --username U [--role owner|auditor|member] [--name N] [--email E]
  token create --username U [--lifetime-days D]   print a new session token

Environment: ${CONFIG_VARIABLES.join(', ')} (see README.md).`;

const err = (line: string) => process.stderr.write(`${line}\n`);

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);


async function serve(config: Config) {
  const started = Date.now();
  const { db, schema, mode, demoToken } = await openDatabase(config, err);
  const app = createApp({
    db,
    schema,
    graphiql: config.graphiql,
    introspection: config.introspection,
    // The page is served before authentication: it carries the owner's token only where nobody
    // but this machine can load it.
    graphiqlHeaders: demoToken && isLoopback(config.host) ? { 'Coder-Session-Token': demoToken } : undefined,
  });
  const server = createServer(app);
  // Idle keep-alive connections outlive a load balancer's (60 s is common), so the proxy, not
  // the gateway, closes them: otherwise a request can race the close and be lost.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  // Installed before listening, so a signal that arrives as soon as the URL is printed drains too.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    err(`${signal}: draining requests`);
    server.close(() => {
      db.close().then(
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
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/graphql`;
  // One write, so a reader never sees the URL without the token that goes with it.
  err(
    [
      `aibridge-graphql (${mode}) ready in ${Date.now() - started} ms`,
      `GraphiQL: ${url}`,
      ...(demoToken ? [`Demo owner token (Coder-Session-Token): ${demoToken}`] : []),
    ].join('\n'),
  );
}

/** A progress bar on stderr: redrawn in place on a terminal, every tenth otherwise (CI logs). */
function progressBar() {
  let lastTenth = -1;
  return (done: number, total: number) => {
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    if (process.stderr.isTTY) return void process.stderr.write(`\r${line}${done >= total ? '\n' : ''}`);
    const tenth = total ? Math.floor((done / total) * 10) : 10;
    if (tenth > lastTenth) {
      lastTenth = tenth;
      err(line);
    }
  };
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new UserInputError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

async function withDb<T>(config: Config, fn: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>) {
  if (config.readOnly) throw new UserInputError('this command writes; it cannot run with READ_ONLY=1');
  const { db } = await openDatabase({ ...config }, err);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      interceptions: { type: 'string' },
      seed: { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      'lifetime-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command = 'serve', sub] = positionals;
  if (values.help) return void console.log(USAGE);
  const config = loadConfig();

  switch (command) {
    case 'serve':
      return serve(config);
    case 'seed': {
      const n = positiveInt('interceptions', values.interceptions, 10_000);
      const started = Date.now();
      const written = await withDb(config, (db) => seed(db, { interceptions: n, seed: positiveInt('seed', values.seed, 42), onProgress: progressBar() }));
      err(`wrote ${written} interceptions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return;
    }
    case 'user': {
      if (sub !== 'create' || !values.username) throw new UserInputError(USAGE);
      const role = (values.role ?? 'member') as Role;
      if (!ROLES.includes(role)) throw new UserInputError(`--role must be one of ${ROLES.join(', ')}`);
      const id = await withDb(config, (db) => createUser(db, { username: values.username!, role, name: values.name, email: values.email }));
      console.log(id);
      return;
    }
    case 'token': {
      if (sub !== 'create' || !values.username) throw new UserInputError(USAGE);
      const days = positiveInt('lifetime-days', values['lifetime-days'], 30);
      if (days < 1) throw new UserInputError('--lifetime-days must be at least 1');
      console.log(await withDb(config, (db) => createToken(db, values.username!, days * 86_400, 'cli')));
      return;
    }
    default:
      throw new UserInputError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof UserInputError) err(e.message);
  else if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) err(`${e.message}\n\n${USAGE}`);
  else err(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(2);
});
