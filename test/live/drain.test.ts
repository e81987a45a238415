import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { startServer } from '../support/process.ts';
import { subscribe } from './sse.ts';

it('drains open subscriptions on SIGTERM: each stream gets a complete event and the process exits 0 promptly', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-live-drain-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const server = await startServer({ DATA_DIR: dir, LIVE_POLL_MS: '100' }, { timeoutMs: 90_000 });
  const query = 'subscription { interceptionsEnded { uuid } }';
  const streams = await Promise.all([1, 2, 3].map(() => subscribe(fetch, server.url, query, { token: server.token })));
  // Each stream is open once its first keep-alive comment has arrived.
  await Promise.all(streams.map((s) => s.until((x) => x.comments >= 1)));
  const signalled = Date.now();
  const exited = server.stop('SIGTERM');
  await Promise.all(streams.map((s) => s.ended));
  const code = await exited;
  const took = Date.now() - signalled;
  for (const s of streams) {
    expect(s.status).toBe(200);
    expect(s.events).toEqual([{ event: 'complete', data: '' }]);
  }
  expect(code, server.log()).toBe(0);
  // The exit timer in serve is 10 s: well under it means the streams did not hold the server open.
  expect(took).toBeLessThan(3000);
}, 120_000);
