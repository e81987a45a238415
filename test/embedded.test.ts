import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { startServer } from './support/process.ts';

/** Each test starts from a data dir of its own, so none depends on another having run. */
async function freshDataDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-embedded-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const TOKEN = /^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$/;

const viewer = (url: string, token: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Coder-Session-Token': token },
    body: JSON.stringify({ query: '{ viewer { username } }' }),
  });

it('starts with no configuration: migrations, demo data, a printed owner token, GraphiQL', async () => {
  const server = await startServer({ DATA_DIR: await freshDataDir() });
  try {
    expect(server.log()).toMatch(/first start: writing \d+ demo interceptions/);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(server.token).toMatch(TOKEN);
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

it('restarts on the same data dir without seeding again and prints the token of the first start', async () => {
  const dataDir = await freshDataDir();
  const tokenFile = path.join(dataDir, 'demo-owner-token');

  const first = await startServer({ DATA_DIR: dataDir });
  expect(await first.stop('SIGTERM'), first.log()).toBe(0);
  expect(first.token).toMatch(TOKEN);
  const fileAfterFirst = await readFile(tokenFile, 'utf8');
  expect(fileAfterFirst).toBe(`${first.token}\n`);

  const second = await startServer({ DATA_DIR: dataDir });
  try {
    expect(second.log()).not.toMatch(/first start/);
    expect(second.token).toBe(first.token);
    expect(await readFile(tokenFile, 'utf8')).toBe(fileAfterFirst);
    expect(await (await viewer(second.url, second.token!)).json()).toEqual({ data: { viewer: { username: 'admin' } } });
  } finally {
    expect(await second.stop('SIGTERM'), second.log()).toBe(0);
  }
}, 90_000);

it('keeps idle keep-alive connections longer than a load balancer would (no close race)', async () => {
  const server = await startServer({ DATA_DIR: await freshDataDir() });
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
}, 60_000);
