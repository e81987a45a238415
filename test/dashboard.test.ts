import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { DEMO_USERS, seed } from '../src/db/seed.ts';
import { createToken } from '../src/db/users.ts';
import { describeEachDb } from './support/databases.ts';
import { addInterception, addTokenUsage } from './support/fixtures.ts';
import { ROOT, startServer, type RunningServer } from './support/process.ts';

/**
 * The dashboard as people meet it, in a real browser (Debian's chromium, as test/browser.test.ts):
 * the embedded demo opens signed in on loopback; every figure it shows is the API's for the
 * filter the page asked with (read from the page, then asked again directly); a member signs in
 * with a token and sees only their own usage; an interception written into the database appears
 * in the live table. Screenshots of each view go to test-output/dashboard-*.png.
 */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasBrowser = existsSync(executablePath);
if (!hasBrowser && process.env.REQUIRE_BROWSER) throw new Error(`REQUIRE_BROWSER is set but there is no chromium at ${executablePath}`);
if (!hasBrowser) console.warn(`dashboard browser test SKIPPED: no chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM_PATH)`);

const OUT = path.join(ROOT, 'test-output');

function launch(): Promise<Browser> {
  // launch() gives the browser a fresh temporary profile of its own.
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page that records console errors, uncaught exceptions and failed requests. */
async function watchedPage(browser: Browser, width = 1400, locale?: string) {
  const page = await browser.newPage({ viewport: { width, height: 900 }, locale });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Closing the live stream on navigation aborts it: that is not a failure.
    if (!r.url().endsWith('/graphql') || r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  return { page, problems };
}

/** Until every panel has answered and the charts have drawn. */
async function ready(page: Page) {
  await page.waitForFunction(() => document.body.dataset.state === 'ready', undefined, { timeout: 30_000 });
}

const shownFilter = async (page: Page) => JSON.parse((await page.getAttribute('body', 'data-filter'))!) as Record<string, unknown>;
const figureOf = (page: Page, scope: string, name: string) => page.locator(`${scope} [data-figure="${name}"]`).first().getAttribute('data-value');
const chart = async (page: Page, id: string) => {
  const el = page.locator(`#${id}`);
  return { points: Number(await el.getAttribute('data-points')), series: Number(await el.getAttribute('data-series')), total: Number(await el.getAttribute('data-total')) };
};

async function shoot(page: Page, name: string) {
  await mkdir(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, `dashboard-${name}.png`), fullPage: true });
}

/** The API, asked directly over HTTP with a token (what the page must agree with). */
function apiOf(base: string, token: string) {
  return async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'Coder-Session-Token': token }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data: any; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  };
}

const TOTALS = `query($filter: InterceptionFilter) { usage(filter: $filter) { totals { requests sessions inputTokens outputTokens cacheReadTokens cacheWriteTokens
  cost { total cacheSavings unpricedRequests } } } }`;
const OVER_TIME = `query($filter: InterceptionFilter, $bucket: TimeBucket, $tz: String, $by: [UsageDimension!]) {
  usage(filter: $filter, bucket: $bucket, timeZone: $tz, groupBy: $by) { groups { model provider figures { cost { total } } } } }`;
const TOP_MODELS = `query($filter: InterceptionFilter) { usage(filter: $filter, groupBy: [MODEL], orderBy: { field: COST }, first: 10) { groups { model figures { cost { total } } } } }`;
const SESSIONS = `query($filter: InterceptionFilter, $after: String) { sessions(filter: $filter, first: 10, after: $after) { totalCount edges { node { sessionId } } pageInfo { endCursor } } }`;

const TOOL_FIGURES = 'calls invocationErrors errorRate injectedCalls requests cost { total }';
const TOOLS = `query($filter: InterceptionFilter) {
  all: toolUsage(filter: $filter) { totals { ${TOOL_FIGURES} } }
  servers: toolUsage(filter: $filter, groupBy: [SERVER], orderBy: { field: INVOCATION_ERRORS }, first: 10) { groups { serverUrl figures { ${TOOL_FIGURES} } } }
  tools: toolUsage(filter: $filter, groupBy: [SERVER, TOOL], orderBy: { field: INVOCATION_ERRORS }, first: 15) { groups { serverUrl tool figures { ${TOOL_FIGURES} } } } }`;

/** A table's rows as the page shows them: the row key and each figure's exact value. */
const tableFigures = (page: Page, selector: string) =>
  page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((r) => ({ key: r.getAttribute('data-key'), ...Object.fromEntries([...r.querySelectorAll('[data-figure]')].map((f) => [f.getAttribute('data-figure'), f.getAttribute('data-value')])) })),
  );
/** The same, computed from the API's answer. */
const apiFigures = (f: any) => ({ calls: String(f.calls), invocationErrors: String(f.invocationErrors), errorRate: f.errorRate == null ? '' : String(f.errorRate), cost: f.cost.total });

/** Presses Tab until `selector` has the focus, and says how many presses it took (it must be reachable). */
async function tabTo(page: Page, selector: string, max = 80): Promise<number> {
  for (let presses = 0; presses <= max; presses++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return presses;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}
const focusedIs = (page: Page, selector: string) => page.waitForFunction((s) => document.activeElement?.matches(s) ?? false, selector, { timeout: 15_000 });

const rowKeys = (page: Page, selector: string, attribute: string) => page.locator(selector).evaluateAll((rows, a) => rows.map((r) => r.getAttribute(a)), attribute);

describe.runIf(hasBrowser)('the dashboard in a real browser (embedded demo on loopback)', () => {
  let dataDir: string;
  let server: RunningServer;
  let base: string;
  let api: ReturnType<typeof apiOf>;
  let browser: Browser;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-dashboard-'));
    [server, browser] = await Promise.all([startServer({ DATA_DIR: dataDir }, { timeoutMs: 90_000 }), launch()]);
    base = new URL(server.url).origin;
    api = apiOf(base, server.token!);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('opens signed in on the demo data with no console error; each chart has data; the figures are the API’s', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/dashboard`);
    await ready(page);
    expect(await page.locator('#viewer').innerText()).toBe('admin');
    // The state is in the URL, filled in with the defaults, so the view can be shared as it is.
    expect(page.url()).toMatch(/[?&]range=30d(&|$)/);
    expect(page.url()).toMatch(/[?&]tz=/);

    const filter = await shownFilter(page);
    expect(Object.keys(filter).sort()).toEqual(['startedAfter', 'startedBefore']);
    const { usage } = await api(TOTALS, { filter });
    expect(usage.totals.requests).toBeGreaterThan(100);
    expect(await figureOf(page, '#totals', 'cost')).toBe(usage.totals.cost.total);
    expect(await figureOf(page, '#totals', 'requests')).toBe(String(usage.totals.requests));
    expect(await figureOf(page, '#totals', 'cacheSavings')).toBe(usage.totals.cost.cacheSavings);
    expect(await figureOf(page, '#totals', 'unpricedRequests')).toBe(String(usage.totals.cost.unpricedRequests));
    expect(await figureOf(page, '#totals', 'tokens')).toBe(String(usage.totals.inputTokens + usage.totals.outputTokens + usage.totals.cacheReadTokens + usage.totals.cacheWriteTokens));

    // 30 days: a bar per day, stacked by model.
    expect(await page.getAttribute('body', 'data-bucket')).toBe('DAY');
    const spend = await chart(page, 'chart-spend');
    const tokens = await chart(page, 'chart-tokens');
    const durations = await chart(page, 'chart-durations');
    for (const c of [spend, tokens, durations]) {
      expect(c.points).toBeGreaterThan(0);
      expect(c.series).toBeGreaterThan(0);
      expect(c.total).toBeGreaterThan(0);
    }
    expect(spend.points).toBeGreaterThanOrEqual(30);
    const byDay = await api(OVER_TIME, { filter, bucket: 'DAY', tz: new URL(page.url()).searchParams.get('tz'), by: ['MODEL'] });
    const daySum = byDay.usage.groups.reduce((s: number, g: any) => s + Number(g.figures.cost.total), 0);
    expect(spend.total).toBeCloseTo(daySum, 4);
    expect(spend.total).toBeCloseTo(Number(usage.totals.cost.total), 4);
    expect(tokens.total).toBe(usage.totals.inputTokens + usage.totals.outputTokens + usage.totals.cacheReadTokens + usage.totals.cacheWriteTokens);
    // Every canvas has been drawn on (uPlot draws on canvas).
    expect(await page.locator('.chart canvas').count()).toBe(3);

    expect(await page.locator('#live-status').innerText()).toMatch(/^Live/);
    await shoot(page, 'overview');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('changing a filter changes the figures to what the API returns for that filter', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
    await ready(page);
    const allCost = await figureOf(page, '#totals', 'cost');
    // The choices are what the API lists.
    await page.waitForFunction(() => document.querySelectorAll('#filter-provider option').length > 1);
    const providers = await page.locator('#filter-provider option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(providers).toEqual(['', 'anthropic', 'copilot', 'openai']);

    await page.selectOption('#filter-provider', 'openai');
    await ready(page);
    expect(page.url()).toMatch(/[?&]provider=openai(&|$)/);
    const filter = await shownFilter(page);
    expect(filter).toMatchObject({ provider: 'openai' });
    expect(Object.keys(filter).sort()).toEqual(['provider', 'startedAfter', 'startedBefore']);
    const { usage } = await api(TOTALS, { filter });
    expect(await figureOf(page, '#totals', 'cost')).toBe(usage.totals.cost.total);
    expect(await figureOf(page, '#totals', 'requests')).toBe(String(usage.totals.requests));
    expect(usage.totals.cost.total).not.toBe(allCost);
    const top = await api(TOP_MODELS, { filter });
    expect(await rowKeys(page, '#top-models tbody tr', 'data-key')).toEqual(top.usage.groups.map((g: any) => g.model));
    expect(await page.locator('#top-models tbody tr [data-figure="cost"]').evaluateAll((es) => es.map((e) => e.getAttribute('data-value')))).toEqual(top.usage.groups.map((g: any) => g.figures.cost.total));
    const sessions = await api(SESSIONS, { filter });
    expect(await figureOf(page, '#sessions', 'sessionCount')).toBe(String(sessions.sessions.totalCount));
    expect((await chart(page, 'chart-spend')).total).toBeCloseTo(Number(usage.totals.cost.total), 4);

    // A second filter, stacking by provider, and a 7-day range: still the API's figures.
    await page.waitForFunction(() => document.querySelectorAll('#filter-model option').length > 1);
    await page.selectOption('#filter-model', 'gpt-4.1');
    await ready(page);
    await page.selectOption('#filter-stack', 'provider');
    await ready(page);
    await page.selectOption('#filter-range', '7d');
    await ready(page);
    const narrowed = await shownFilter(page);
    expect(narrowed).toMatchObject({ provider: 'openai', model: 'gpt-4.1' });
    expect(Date.parse(narrowed.startedBefore as string) - Date.parse(narrowed.startedAfter as string)).toBe(7 * 86_400_000);
    const again = await api(TOTALS, { filter: narrowed });
    expect(await figureOf(page, '#totals', 'cost')).toBe(again.usage.totals.cost.total);
    expect(await figureOf(page, '#totals', 'requests')).toBe(String(again.usage.totals.requests));
    // Stacked by provider with one provider chosen: one series.
    expect((await chart(page, 'chart-spend')).series).toBe(1);
    await shoot(page, 'filtered');

    // The URL alone gives the same view (shared link), and Back returns to the previous one.
    const shared = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await shared.goto(page.url());
    await ready(shared);
    expect(await figureOf(shared, '#totals', 'cost')).toBe(again.usage.totals.cost.total);
    expect(await shared.inputValue('#filter-model')).toBe('gpt-4.1');
    expect(await shared.inputValue('#filter-stack')).toBe('provider');
    await shared.close();
    await page.goBack();
    await ready(page);
    expect(await page.inputValue('#filter-range')).toBe('30d');
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('pages recent sessions with the Relay cursors and opens one into its threads and agentic actions', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
    await ready(page);
    await page.waitForSelector('#sessions tbody tr');
    const filter = await shownFilter(page);
    const first = await api(SESSIONS, { filter });
    const ids = (c: any) => c.sessions.edges.map((e: any) => e.node.sessionId);
    expect(await rowKeys(page, '#sessions tbody tr', 'data-session')).toEqual(ids(first));

    await page.click('#sessions-older');
    const second = await api(SESSIONS, { filter, after: first.sessions.pageInfo.endCursor });
    await page.waitForFunction((id) => document.querySelector('#sessions tbody tr')?.getAttribute('data-session') === id, ids(second)[0]);
    expect(await rowKeys(page, '#sessions tbody tr', 'data-session')).toEqual(ids(second));
    await page.click('#sessions-newer');
    await page.waitForFunction((id) => document.querySelector('#sessions tbody tr')?.getAttribute('data-session') === id, ids(first)[0]);

    // A session with tool calls and thinking, found through the API, opened from its row's link.
    const found = await api(`query($filter: InterceptionFilter) { sessions(filter: $filter, first: 100) { edges { node { sessionId
      threads(first: 10) { edges { node { agenticActions { thinking { text } toolCalls { tool } } } } } } } } }`, { filter });
    const rich = found.sessions.edges.map((e: any) => e.node).find((s: any) =>
      s.threads.edges.some((t: any) => t.node.agenticActions.some((a: any) => a.toolCalls.length > 0 && a.thinking.length > 0)));
    expect(rich).toBeDefined();
    await page.goto(`${base}/dashboard?range=30d&tz=UTC&session=${encodeURIComponent(rich.sessionId)}`);
    await ready(page);
    await page.waitForSelector('#session-detail .thread');
    expect(await page.locator('#session-detail .thread').count()).toBe(rich.threads.edges.length);
    const tools = rich.threads.edges.flatMap((t: any) => t.node.agenticActions.flatMap((a: any) => a.toolCalls.map((c: any) => c.tool)));
    expect(await page.locator('#session-detail .tools code').allInnerTexts()).toEqual(tools);
    expect(await page.locator('#session-detail details.thinking').count()).toBeGreaterThan(0);
    await shoot(page, 'session');

    // Clicking a row's link opens that session and puts it in the URL.
    const firstId = ids(first)[0];
    await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
    await page.waitForSelector('#sessions tbody tr a');
    await page.click('#sessions tbody tr:first-child a');
    await page.waitForSelector('#session-detail .thread, #session-detail .notice');
    expect(new URL(page.url()).searchParams.get('session')).toBe(firstId);
    expect(await page.locator('#session-detail h2').innerText()).toContain(firstId);
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('lists MCP servers and tools by failures with the figures toolUsage gives for the same filter', async () => {
    const { page, problems } = await watchedPage(browser);
    const check = async () => {
      const filter = await shownFilter(page);
      const direct = await api(TOOLS, { filter });
      const t = direct.all.totals;
      expect(t.calls).toBeGreaterThan(0);
      for (const name of ['calls', 'invocationErrors', 'errorRate', 'cost'] as const) expect(await figureOf(page, '#tools-totals', name)).toBe(apiFigures(t)[name]);
      expect(await figureOf(page, '#tools-totals', 'injectedCalls')).toBe(String(t.injectedCalls));
      expect(await figureOf(page, '#tools-totals', 'requests')).toBe(String(t.requests));
      expect(await tableFigures(page, '#tool-servers')).toEqual(direct.servers.groups.map((g: any) => ({ key: g.serverUrl, ...apiFigures(g.figures) })));
      expect(await tableFigures(page, '#tool-tools')).toEqual(direct.tools.groups.map((g: any) => ({ key: `${g.serverUrl} ${g.tool}`, ...apiFigures(g.figures) })));
      // Most failures first: the rows shown are the failing ones.
      const failures = direct.tools.groups.map((g: any) => g.figures.invocationErrors);
      expect(failures).toEqual([...failures].sort((a: number, b: number) => b - a));
      return direct;
    };
    await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
    await ready(page);
    const all = await check();
    // The demo data has failing MCP tools, and the client-defined ones form their own group.
    expect(all.all.totals.invocationErrors).toBeGreaterThan(0);
    expect(all.servers.groups.map((g: any) => g.serverUrl)).toContain('');
    expect(await page.locator('#tool-servers tbody tr[data-key=""] th').innerText()).toMatch(/no MCP server/);
    await page.locator('#tools').screenshot({ path: path.join(OUT, 'dashboard-tools.png') });

    await page.waitForFunction(() => document.querySelectorAll('#filter-provider option').length > 1);
    await page.selectOption('#filter-provider', 'anthropic');
    await ready(page);
    const narrowed = await check();
    expect(narrowed.all.totals.calls).toBeLessThan(all.all.totals.calls);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('is operated from the keyboard alone: filters, range, session rows, paging, and the focus stays where it was', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
    await ready(page);
    await page.waitForFunction(() => document.querySelectorAll('#filter-provider option').length > 1);

    // The range: Tab to it, ArrowDown picks the next choice (30 days → 90 days).
    await tabTo(page, '#filter-range');
    await page.keyboard.press('ArrowDown');
    await page.waitForURL(/[?&]range=90d(&|$)/);
    await ready(page);
    const wide = await shownFilter(page);
    expect(Date.parse(wide.startedBefore as string) - Date.parse(wide.startedAfter as string)).toBe(90 * 86_400_000);
    // The page redrew, and the keyboard user is still on the control they used.
    await focusedIs(page, '#filter-range');

    // A filter: on to the provider, and typing picks a choice.
    await tabTo(page, '#filter-provider', 6);
    await page.keyboard.type('o');
    await page.waitForURL(/[?&]provider=openai(&|$)/);
    await ready(page);
    await focusedIs(page, '#filter-provider');
    const filter = await shownFilter(page);
    expect(filter).toMatchObject({ provider: 'openai' });
    const { usage } = await api(TOTALS, { filter });
    expect(await figureOf(page, '#totals', 'cost')).toBe(usage.totals.cost.total);

    // A session row: Tab to its link, Enter opens it (focus on its title), Escape closes it (focus back on the row).
    await page.waitForSelector('#sessions tbody tr a');
    const first = await api(SESSIONS, { filter });
    const firstId = first.sessions.edges[0].node.sessionId;
    await tabTo(page, '#sessions tbody tr:first-child a');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#session-detail .thread');
    expect(new URL(page.url()).searchParams.get('session')).toBe(firstId);
    await focusedIs(page, '#session-detail h2');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('#session-detail'));
    expect(new URL(page.url()).searchParams.get('session')).toBeNull();
    await focusedIs(page, `#sessions tr[data-session="${firstId}"] a`);

    // Paging: Enter on "Older" shows the next page of the API's cursors; the focus stays on the button.
    const second = await api(SESSIONS, { filter, after: first.sessions.pageInfo.endCursor });
    await tabTo(page, '#sessions-older');
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.querySelector('#sessions tbody tr')?.getAttribute('data-session') === id, second.sessions.edges[0].node.sessionId);
    // A third page exists, so "Older" is still there to press again.
    expect(first.sessions.totalCount).toBeGreaterThan(20);
    await focusedIs(page, '#sessions-older');
    await shoot(page, 'keyboard');
    expect(problems).toEqual([]);
    await page.close();
  }, 180_000);

  it('formats figures for people in the browser’s language: currency to the cent, token counts with separators', async () => {
    const { page, problems } = await watchedPage(browser, 1400, 'de-DE');
    await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
    await ready(page);
    const filter = await shownFilter(page);
    const { usage } = await api(TOTALS, { filter });
    const t = usage.totals;
    const allTokens = t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWriteTokens;
    /** The test's own Intl formatting of the API's value, in the page's language. */
    const intl = (value: number, options: Intl.NumberFormatOptions) => page.evaluate(([v, o]) => new Intl.NumberFormat(navigator.language, o).format(v), [value, options] as const);
    const cents: Intl.NumberFormatOptions = { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 };
    const text = (scope: string, name: string) => page.locator(`${scope} [data-figure="${name}"]`).first().innerText();

    expect(await page.evaluate(() => navigator.language)).toBe('de-DE');
    expect(allTokens).toBeGreaterThan(1_000_000);
    expect(await text('#totals', 'tokens')).toBe(await intl(allTokens, { maximumFractionDigits: 0 }));
    expect(await text('#totals', 'tokens')).toMatch(/^\d{1,3}(\.\d{3})+$/);
    expect(await text('#totals', 'cost')).toBe(await intl(Number(t.cost.total), cents));
    expect(await text('#totals', 'cost')).toMatch(/^[\d.]+,\d{2}\s\$$/);
    expect(await text('#totals', 'requests')).toBe(await intl(t.requests, { maximumFractionDigits: 0 }));
    // Every amount on the page: to the cent, or, below a cent, two significant digits (never a bare "0,00 $").
    const amounts = await page.locator('[data-figure="cost"], [data-figure="cacheSavings"]').evaluateAll((es) => es.map((e) => ({ value: e.getAttribute('data-value')!, shown: e.textContent })));
    expect(amounts.length).toBeGreaterThan(20);
    for (const { value, shown } of amounts) {
      const n = Number(value);
      const small = n !== 0 && Math.abs(n) < 0.01;
      expect(shown).toBe(await intl(n, small ? { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumSignificantDigits: 2 } : cents));
    }
    // The tool panel's error rate is a percentage of the API's ratio.
    const rate = Number(await figureOf(page, '#tools-totals', 'errorRate'));
    expect(await text('#tools-totals', 'errorRate')).toBe(await intl(rate, { style: 'percent', maximumFractionDigits: 1 }));
    await shoot(page, 'de');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('says when a filter matches nothing, and how to widen it, with buttons that do', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/dashboard?range=7d&tz=UTC&model=no-such-model`);
    await ready(page);
    const filter = await shownFilter(page);
    expect(filter).toMatchObject({ model: 'no-such-model' });
    expect((await api(TOTALS, { filter })).usage.totals.requests).toBe(0);
    const empty = await page.locator('#empty-state').innerText();
    expect(empty).toMatch(/No requests match this view/);
    expect(empty).toMatch(/model no-such-model/);
    expect(empty).toMatch(/Widen the range or clear the filters/);
    expect(await page.locator('#tools .notice.empty').innerText()).toMatch(/No tool calls .* Widen the range or clear a filter/);
    expect(await page.locator('#sessions .notice.empty').innerText()).toMatch(/Widen the range or clear a filter/);
    await shoot(page, 'empty');

    // The way out, by keyboard: "Clear the filters" keeps the range and drops the model.
    await tabTo(page, '#empty-clear');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => !url.searchParams.has('model'));
    await ready(page);
    expect(await page.locator('#empty-state').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('range')).toBe('7d');
    const cleared = await shownFilter(page);
    expect(await figureOf(page, '#totals', 'requests')).toBe(String((await api(TOTALS, { filter: cleared })).usage.totals.requests));
    expect(Number(await figureOf(page, '#totals', 'requests'))).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('says what to do when the API fails, and recovers with Try again', async () => {
    const { page, problems } = await watchedPage(browser);
    // A proxy in front of the gateway failing: every query but the first (who am I) gets a 502.
    await page.route('**/graphql', (route) =>
      route.request().postData()?.includes('DashboardViewer') ? route.continue() : route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body>Bad Gateway</body></html>' }),
    );
    await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
    await ready(page);
    // One alert, naming every panel that failed, why, and what to do; each panel says it is missing.
    expect(await page.locator('#page-error [role=alert]').count()).toBe(1);
    const alert = await page.locator('#page-error [role=alert]').innerText();
    expect(alert).toMatch(/could not be loaded: The server answered 502: check that the gateway is running/);
    for (const panel of ['Usage', 'Rankings', 'Durations', 'Tool failures', 'Sessions', 'Today’s totals']) expect(alert).toContain(panel);
    expect(await page.locator('#tools-slot .notice.error').innerText()).toMatch(/could not be loaded/);
    expect(await page.locator('button.retry').count()).toBe(1);
    await shoot(page, 'error');

    await page.unroute('**/graphql');
    await tabTo(page, '#page-error .retry');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#totals');
    await ready(page);
    const { usage } = await api(TOTALS, { filter: await shownFilter(page) });
    expect(await figureOf(page, '#totals', 'cost')).toBe(usage.totals.cost.total);
    expect(await page.locator('[role=alert]').count()).toBe(0);
    // The browser logs each 502 it was given: those are the only console errors.
    expect(problems.filter((p) => !/status of 502/.test(p))).toEqual([]);
    await page.close();
  }, 90_000);

  it('keeps working with an unknown time zone: a link falls back to the browser’s, the field says what is wrong', async () => {
    const { page, problems } = await watchedPage(browser);
    await page.goto(`${base}/dashboard?range=7d&tz=Not%2FA_Zone`);
    await ready(page);
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(new URL(page.url()).searchParams.get('tz')).toBe(zone);
    await page.fill('#filter-tz', 'Mars/Olympus_Mons');
    await page.locator('#filter-tz').press('Enter');
    await page.waitForFunction(() => !(document.querySelector('#filter-tz') as HTMLInputElement).validity.valid);
    expect(await page.locator('#filter-tz').evaluate((e) => (e as HTMLInputElement).validationMessage)).toMatch(/Unknown time zone .*Europe\/Berlin/);
    expect(new URL(page.url()).searchParams.get('tz')).toBe(zone);
    await page.fill('#filter-tz', 'Asia/Tokyo');
    await page.locator('#filter-tz').press('Enter');
    await page.waitForURL(/[?&]tz=Asia%2FTokyo(&|$)/);
    await ready(page);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('stays usable in a narrow window', async () => {
    const { page, problems } = await watchedPage(browser, 420);
    await page.goto(`${base}/dashboard?range=7d&tz=UTC`);
    await ready(page);
    // Nothing wider than the window but the tables' own scrolling boxes.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    expect((await chart(page, 'chart-spend')).points).toBeGreaterThan(0);
    await shoot(page, 'narrow');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

const ALICE = DEMO_USERS.find((u) => u.username === 'alice')!;
const BOB = DEMO_USERS.find((u) => u.username === 'bob')!;

describe.runIf(hasBrowser)('the dashboard signed in with a token', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describeEachDb('over a database written to while the page is open', (ctx) => {
    let server: Server;
    const shutdown = new AbortController();
    let base: string;
    let alice: string;
    let admin: string;

    beforeAll(async () => {
      const { db } = ctx();
      await seed(db, { interceptions: 400, end: new Date() });
      alice = await createToken(db, 'alice');
      admin = await createToken(db, 'admin');
      // A short poll interval, so the live test waits for the page, not the feed.
      const app = createApp({ db, live: { pollMs: 200, pollMaxMs: 400 }, shutdown: shutdown.signal });
      server = createServer((req, res) => void app(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }, 60_000);

    afterAll(async () => {
      shutdown.abort();
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    it('asks for a token, keeps it, and shows a member only their own figures', async () => {
      const { page, problems } = await watchedPage(browser);
      await page.goto(`${base}/dashboard?range=30d&tz=UTC`);
      await page.waitForSelector('#token');
      await shoot(page, 'signin');
      await page.fill('#token', 'AbCdEfGhIj-0123456789abcdefghijkl');
      await page.click('button[type=submit]');
      await page.waitForSelector('.signin [role=alert]');
      expect(await page.locator('.signin [role=alert]').innerText()).toMatch(/refused\. Check that you pasted all of it and that it has not expired or been revoked, or create a new one/);
      await shoot(page, 'refused');

      await page.fill('#token', alice);
      await page.click('button[type=submit]');
      await ready(page);
      expect(await page.locator('#viewer').innerText()).toBe('alice');
      const filter = await shownFilter(page);
      // The page asks like anyone else: no initiator filter of its own; the API narrows it to alice.
      expect(filter.initiator).toBeUndefined();
      const mine = await apiOf(base, alice)(TOTALS, { filter });
      const everyone = await apiOf(base, admin)(TOTALS, { filter });
      const aliceOnly = await apiOf(base, admin)(TOTALS, { filter: { ...filter, initiator: 'alice' } });
      expect(mine.usage.totals).toEqual(aliceOnly.usage.totals);
      expect(everyone.usage.totals.requests).toBeGreaterThan(mine.usage.totals.requests);
      expect(mine.usage.totals.requests).toBeGreaterThan(0);
      expect(await figureOf(page, '#totals', 'cost')).toBe(mine.usage.totals.cost.total);
      expect(await figureOf(page, '#totals', 'requests')).toBe(String(mine.usage.totals.requests));
      expect(await rowKeys(page, '#top-users tbody tr', 'data-key')).toEqual(['alice']);
      await page.waitForFunction(() => document.querySelectorAll('#filter-initiator option').length > 1);
      expect(await page.locator('#filter-initiator option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['', 'alice']);
      await shoot(page, 'member');

      // Kept in this browser: a reload opens signed in.
      await page.reload();
      await ready(page);
      expect(await page.locator('#viewer').innerText()).toBe('alice');
      // The two refused sign-ins (none yet, then the bad token) are the only console errors: the browser logs each 401.
      expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
      await page.close();
    }, 90_000);

    it('shows an interception written into the database in the live table within seconds, and only to whom may see it', async () => {
      const { page, problems } = await watchedPage(browser);
      await page.addInitScript((token) => localStorage.setItem('aibridge-graphql.session-token', token), alice);
      await page.goto(`${base}/dashboard?range=24h&tz=UTC`);
      await ready(page);
      const todayBefore = Number(await figureOf(page, '#today', 'todayRequests'));
      await page.waitForFunction(() => /^Live/.test(document.querySelector('#live-status')?.textContent ?? ''));

      const { db } = ctx();
      const now = Date.now();
      const at = (ms: number) => new Date(now + ms).toISOString();
      const bobs = await addInterception(db, { initiatorId: BOB.id!, startedAt: at(-2000), endedAt: at(0), client: 'Codex', provider: 'openai', model: 'gpt-5' });
      const written = Date.now();
      const mine = await addInterception(db, { initiatorId: ALICE.id!, startedAt: at(-3000), endedAt: at(0), client: 'Claude Code', model: 'claude-sonnet-4-5' });
      await addTokenUsage(db, { interceptionId: mine, input: 1200, output: 340, createdAt: at(-1000) });

      await page.waitForSelector(`#live-table tr[data-interception="${mine}"]`, { timeout: 10_000 });
      const seenAfter = Date.now() - written;
      expect(seenAfter).toBeLessThan(5_000);
      expect(await page.locator(`#live-table tr[data-interception="${mine}"]`).innerText()).toContain('1,200 / 340');
      // Today's totals and the first sessions page follow without a reload.
      await page.waitForFunction((n) => Number(document.querySelector('#today [data-figure="todayRequests"]')?.getAttribute('data-value')) === n, todayBefore + 1, { timeout: 10_000 });
      await page.waitForFunction((id) => document.querySelector('#sessions tbody tr')?.getAttribute('data-session') === id, mine, { timeout: 10_000 });
      // Bob's ended at the same time: alice's stream never carries it.
      expect(await page.locator(`#live-table tr[data-interception="${bobs}"]`).count()).toBe(0);
      await shoot(page, 'live');
      console.log(`live: the interception was in the table ${seenAfter} ms after it was written`);
      expect(problems).toEqual([]);
      await page.close();
    }, 90_000);
  });
});
