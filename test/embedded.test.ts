import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli, startServer } from './support/process.ts';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-embedded-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const viewer = (url: string, token: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
    body: JSON.stringify({ query: '{ viewer { username } }' }),
  });

it('starts with no configuration: migrations, demo data, a printed owner token, GraphiQL', async () => {
  const server = await startServer({ DATA_DIR: dataDir });
  try {
    expect(server.log()).toMatch(/first start: writing \d+ demo interceptions/);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(server.token).toMatch(/^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$/);
    const res = await viewer(server.url, server.token!);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { viewer: { username: 'admin' } } });
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
  } finally {
    expect(await server.stop('SIGTERM'), server.log()).toBe(0);
  }
});

it('restarts on the same data without seeding again and prints the same token', async () => {
  const first = /([A-Za-z0-9]{10}-[A-Za-z0-9]{22})/;
  const server = await startServer({ DATA_DIR: dataDir });
  try {
    expect(server.log()).not.toMatch(/first start/);
    expect(server.token).toMatch(first);
    expect((await viewer(server.url, server.token!)).status).toBe(200);
  } finally {
    expect(await server.stop('SIGTERM'), server.log()).toBe(0);
  }
});

it('keeps idle keep-alive connections longer than a load balancer would (no close race)', async () => {
  const server = await startServer({ DATA_DIR: dataDir });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () =>
    new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
      const req = http.get(server.url.replace('/graphql', '/healthz'), { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
      });
      req.on('error', reject);
    });
  try {
    expect(await get()).toEqual({ status: 200, reused: false });
    // Node's default keepAliveTimeout (5 s) would have closed the socket by now.
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await get()).toEqual({ status: 200, reused: true });
  } finally {
    agent.destroy();
    await server.stop();
  }
});

it('creates users and tokens from the command line; the token alone goes to stdout', async () => {
  const made = await runCli(['user', 'create', '--username', 'eve', '--role', 'auditor'], { DATA_DIR: dataDir });
  expect(made.code, made.stderr).toBe(0);
  expect(made.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
  const token = await runCli(['token', 'create', '--username', 'eve'], { DATA_DIR: dataDir });
  expect(token.code, token.stderr).toBe(0);
  expect(token.stdout).toMatch(/^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}\n$/);

  const server = await startServer({ DATA_DIR: dataDir });
  try {
    const res = await viewer(server.url, token.stdout.trim());
    expect(await res.json()).toEqual({ data: { viewer: { username: 'eve' } } });
  } finally {
    await server.stop();
  }
});

it('explains bad command lines and bad environments, exiting 2', async () => {
  const role = await runCli(['user', 'create', '--username', 'x', '--role', 'king'], { DATA_DIR: dataDir });
  expect(role.code).toBe(2);
  expect(role.stderr).toMatch(/--role must be one of owner, auditor, member/);
  const unknown = await runCli(['token', 'create', '--username', 'nobody'], { DATA_DIR: dataDir });
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/user "nobody" does not exist/);
  const env = await runCli(['serve'], { DATA_DIR: dataDir, PORT: 'eighty', DATABASE_URL: 'mysql://x' });
  expect(env.code).toBe(2);
  expect(env.stderr).toMatch(/PORT/);
  expect(env.stderr).toMatch(/DATABASE_URL/);
});
