import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from './support/process.ts';

/**
 * The first minute as a person meets it: `npm start` in demo mode, open the printed URL in a real
 * browser, click Run, see sessions with threads. Uses Debian's chromium (a browser download cannot
 * work here); .ci/run installs it, so CI never skips this.
 */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasBrowser = existsSync(executablePath);
if (!hasBrowser && process.env.REQUIRE_BROWSER) throw new Error(`REQUIRE_BROWSER is set but there is no chromium at ${executablePath}`);
if (!hasBrowser) console.warn(`browser test SKIPPED: no chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`);

describe.runIf(hasBrowser)('GraphiQL in a real browser (embedded demo)', () => {
  let dataDir: string;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-browser-'));
    server = await startServer({ DATA_DIR: dataDir });
    // launch() gives the browser a fresh temporary profile of its own.
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('opens authenticated with a default query; one click shows sessions with threads', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const failures: string[] = [];
    page.on('requestfailed', (r) => failures.push(r.url()));
    await page.goto(server.url, { waitUntil: 'load' });
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ state: 'visible', timeout: 30_000 });
    await expect.poll(() => page.locator('.graphiql-query-editor .view-lines').innerText(), { timeout: 15_000 }).toMatch(/sessions/);

    const response = page.waitForResponse((r) => r.url().endsWith('/graphql') && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('sessions'));
    await run.click();
    const result = await (await response).json();
    expect(result.errors).toBeUndefined();
    const sessions = result.data.sessions.edges;
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.some((e: any) => e.node.threads.edges.length > 0)).toBe(true);

    const pane = page.locator('.graphiql-response');
    await expect.poll(() => pane.innerText(), { timeout: 15_000 }).toMatch(/"threads"/);
    // The pane is virtualised (only visible lines are in the DOM), so deeper fields are checked in the response.
    const threads = sessions.flatMap((e: any) => e.node.threads.edges.map((t: any) => t.node));
    expect(threads.some((t: any) => t.agenticActions.some((a: any) => a.toolCalls.length > 0))).toBe(true);
    const out = path.join(ROOT, 'test-output');
    await mkdir(out, { recursive: true });
    await page.screenshot({ path: path.join(out, 'graphiql.png') });
    expect(failures).toEqual([]);
  }, 90_000);
});
