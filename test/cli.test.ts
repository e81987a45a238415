import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { seedCommand } from '../src/cli/seed.ts';
import { serveCommand } from '../src/cli/serve.ts';
import { tokenCreateCommand } from '../src/cli/token-create.ts';
import { userCreateCommand } from '../src/cli/user-create.ts';
import type { Command } from '../src/cli/command.ts';
import { createPgliteDb } from '../src/db/pglite.ts';
import { named } from '../src/db/sql.ts';
import { runCli, startServer } from './support/process.ts';

/** Each test gets a data dir path of its own; the CLI creates the dir when it opens the database. */
async function freshDataDir() {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'aibridge-cli-'));
  onTestFinished(() => rm(parent, { recursive: true, force: true }));
  return path.join(parent, 'data');
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** What the embedded database holds, read in-process once the CLI has exited. */
async function contents(dataDir: string) {
  const db = await createPgliteDb(path.join(dataDir, 'pglite'));
  try {
    const [count] = await db.query<{ interceptions: string; keys: string }>(
      named('test.cli.counts')`SELECT (SELECT count(*) FROM aibridge_interceptions) AS interceptions, (SELECT count(*) FROM api_keys) AS keys`,
    );
    const users = await db.query<{ username: string }>(named('test.cli.users')`SELECT username FROM users ORDER BY username`);
    return {
      usernames: users.map((r) => r.username),
      interceptions: Number(count.interceptions),
      apiKeys: Number(count.keys),
    };
  } finally {
    await db.close();
  }
}

const TOKEN_LINE = /^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}\n$/;

describe('user create and token create', () => {
  it('write only their own rows into a fresh embedded data dir: no demo data, no demo owner', async () => {
    const dataDir = await freshDataDir();
    const user = await runCli(['user', 'create', '--username', 'eve', '--role', 'auditor'], { DATA_DIR: dataDir });
    expect(user.code, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const token = await runCli(['token', 'create', '--username', 'eve'], { DATA_DIR: dataDir });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(TOKEN_LINE);

    expect(await contents(dataDir)).toEqual({ usernames: ['eve'], interceptions: 0, apiKeys: 1 });
    expect(await exists(path.join(dataDir, 'demo-owner-token'))).toBe(false);
  });

  it('print a token that serve accepts, and serve then adds no demo data beside the user', async () => {
    const dataDir = await freshDataDir();
    expect((await runCli(['user', 'create', '--username', 'eve'], { DATA_DIR: dataDir })).code).toBe(0);
    const token = await runCli(['token', 'create', '--username', 'eve', '--lifetime-days', '2'], { DATA_DIR: dataDir });
    expect(token.stdout).toMatch(TOKEN_LINE);

    const server = await startServer({ DATA_DIR: dataDir });
    try {
      expect(server.log()).not.toMatch(/first start/);
      expect(server.token).toBeUndefined();
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Coder-Session-Token': token.stdout.trim() },
        body: JSON.stringify({ query: '{ viewer { username } }' }),
      });
      expect(await res.json()).toEqual({ data: { viewer: { username: 'eve' } } });
    } finally {
      expect(await server.stop(), server.log()).toBe(0);
    }
  });
});

describe('seed', () => {
  it('writes exactly the interceptions asked for into a fresh data dir, with no demo owner token beside them', async () => {
    const dataDir = await freshDataDir();
    const run = await runCli(['seed', '--interceptions', '5', '--seed', '3'], { DATA_DIR: dataDir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/wrote 5 interceptions/);
    const { interceptions, apiKeys } = await contents(dataDir);
    expect({ interceptions, apiKeys }).toEqual({ interceptions: 5, apiKeys: 0 });
    expect(await exists(path.join(dataDir, 'demo-owner-token'))).toBe(false);
  });
});

describe('--help', () => {
  it('without a command lists every command on stdout and exits 0', async () => {
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    for (const command of [serveCommand, seedCommand, userCreateCommand, tokenCreateCommand]) expect(help.stdout).toContain(command.synopsis);
  });

  it.each<[string, Command]>([
    ['serve', serveCommand],
    ['seed', seedCommand],
    ['user create', userCreateCommand],
    ['token create', tokenCreateCommand],
  ])('of %s prints that command usage with each of its options on stdout and exits 0', async (words, command) => {
    const help = await runCli([...words.split(' '), '--help'], {});
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout.startsWith(`usage: aibridge-graphql ${command.synopsis}\n`)).toBe(true);
    for (const option of command.options) expect(help.stdout).toMatch(new RegExp(`^  --${option} `, 'm'));
    expect(help.stderr).toBe('');
  });
});

describe('usage errors', () => {
  it.each<[string, string[], RegExp, string]>([
    ['an unknown command', ['frob'], /^unknown command "frob"/, '<command>'],
    ['an unknown subcommand', ['user', 'delete'], /^unknown command "user delete"/, '<command>'],
    ['an unknown option', ['user', 'create', '--user', 'eve'], /Unknown option '--user'/, userCreateCommand.synopsis],
    ['a missing required option', ['token', 'create'], /^--username is required/, tokenCreateCommand.synopsis],
    ['an option without its value', ['user', 'create', '--username'], /'--username <value>' argument missing/, userCreateCommand.synopsis],
    ['a stray argument', ['seed', '10'], /Unexpected argument '10'/, seedCommand.synopsis],
    ['a role that does not exist', ['user', 'create', '--username', 'x', '--role', 'king'], /--role must be one of owner, auditor, member, got "king"/, userCreateCommand.synopsis],
    ['an invalid username', ['user', 'create', '--username', 'no_underscores'], /invalid username "no_underscores"/, userCreateCommand.synopsis],
    ['a lifetime below one day', ['token', 'create', '--username', 'eve', '--lifetime-days', '0'], /--lifetime-days must be a whole number of at least 1, got "0"/, tokenCreateCommand.synopsis],
    ['a count that is not a number', ['seed', '--interceptions', 'many'], /--interceptions must be a whole number/, seedCommand.synopsis],
  ])('%s exits 2 with the message and the usage on stderr, before opening the database', async (_what, args, message, synopsis) => {
    const dataDir = await freshDataDir();
    const run = await runCli(args, { DATA_DIR: dataDir });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain(`usage: aibridge-graphql ${synopsis}`);
    expect(run.stdout).toBe('');
    expect(await exists(dataDir)).toBe(false);
  });

  it('a bad environment exits 2 and names every bad variable', async () => {
    const run = await runCli(['serve'], { DATA_DIR: await freshDataDir(), PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/PORT/);
    expect(run.stderr).toMatch(/DATABASE_URL/);
  });

  it('a writing command under READ_ONLY=1 exits 2 without connecting', async () => {
    // Port 1 on loopback: a connection attempt would fail with a runtime error (exit 1) instead.
    const run = await runCli(['user', 'create', '--username', 'eve'], { DATABASE_URL: 'postgres://127.0.0.1:1/coder', READ_ONLY: '1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/READ_ONLY: this command writes/);
  });
});

describe('runtime failures', () => {
  it('a username that is taken exits 1 with the reason and prints nothing on stdout', async () => {
    const dataDir = await freshDataDir();
    expect((await runCli(['user', 'create', '--username', 'eve'], { DATA_DIR: dataDir })).code).toBe(0);
    const again = await runCli(['user', 'create', '--username', 'EVE'], { DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/user "EVE" already exists/);
    expect(again.stderr).not.toMatch(/usage:/);
    expect(again.stdout).toBe('');
  });

  it('a token for a user that does not exist exits 1', async () => {
    const run = await runCli(['token', 'create', '--username', 'nobody'], { DATA_DIR: await freshDataDir() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/user "nobody" does not exist/);
    expect(run.stdout).toBe('');
  });

  it('an unreachable database exits 1', async () => {
    const run = await runCli(['user', 'create', '--username', 'eve'], { DATABASE_URL: 'postgres://127.0.0.1:1/coder' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: /);
  });
});
