import { readFile } from 'node:fs/promises';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { routeTemplate } from '../src/ops/route-template.ts';
import { useDashboard } from '../src/plugins/use-dashboard.ts';
import { createTestDb } from './support/databases.ts';
import { call } from './support/http.ts';
import { ROOT } from './support/process.ts';

/**
 * How the gateway serves /dashboard (the page itself is tested in a browser by
 * test/dashboard.test.ts): the assets the build listed, with hashed names cached for good, the
 * HTML never cached, the demo token only where serve decided GraphiQL gets it.
 */
const manifest = JSON.parse(await readFile(new URL('dist/dashboard/manifest.json', `file://${ROOT}`), 'utf8')) as { js: string; css: string };

describe('GET /dashboard', async () => {
  // No statement is sent for the page or its assets: an empty database will do.
  const { db } = await createTestDb('pglite');
  const app = createApp({ db });

  it('answers the HTML uncached, linking the built script and stylesheet, with no token in it', async () => {
    const res = await call(app, '/dashboard');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text).toContain(`src="/dashboard/assets/${manifest.js}"`);
    expect(res.text).toContain(`href="/dashboard/assets/${manifest.css}"`);
    expect(res.text).not.toContain('Coder-Session-Token');
    expect((await call(app, '/dashboard/')).status).toBe(200);
  });

  it('serves the hashed assets as immutable for a year, with their content types and exact bytes', async () => {
    for (const [name, type] of [[manifest.js, 'text/javascript'], [manifest.css, 'text/css']] as const) {
      const res = await app.fetch(`http://localhost/dashboard/assets/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(await readFile(new URL(`dist/dashboard/assets/${name}`, `file://${ROOT}`)))).toBe(true);
    }
    expect(manifest.js).toMatch(/^dashboard-[A-Z0-9]{8}\.js$/);
  });

  it('serves nothing else: unknown names, traversal and other methods are refused', async () => {
    expect((await call(app, '/dashboard/assets/nope.js')).status).toBe(404);
    expect((await call(app, '/dashboard/assets/..%2Fmanifest.json')).status).toBe(404);
    expect((await call(app, '/dashboard/assets/../../package.json')).status).not.toBe(200);
    const post = await call(app, '/dashboard', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('puts the demo token in the page exactly when GraphiQL gets it (AppDeps.graphiqlHeaders)', async () => {
    const token = 'AbCdEfGhIj-0123456789abcdefghijkl';
    const demo = createApp({ db, graphiqlHeaders: { 'Coder-Session-Token': token } });
    const res = await call(demo, '/dashboard');
    const config = JSON.parse(/<script id="dashboard-config" type="application\/json">(.*?)<\/script>/.exec(res.text)![1]);
    expect(config).toEqual({ headers: { 'Coder-Session-Token': token } });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 503 with what to do while the assets are not built', async () => {
    const yoga = createYoga({ logging: false, plugins: [useDashboard({ assetsDir: new URL('file:///nonexistent-dashboard-build/') })] });
    const res = await yoga.fetch('http://localhost/dashboard');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });

  it('labels its requests /dashboard and /dashboard/assets/{file} in metrics and logs (not one label per hashed name)', () => {
    expect(routeTemplate('/dashboard')).toBe('/dashboard');
    expect(routeTemplate('/dashboard/')).toBe('/dashboard');
    expect(routeTemplate(`/dashboard/assets/${manifest.js}`)).toBe('/dashboard/assets/{file}');
    expect(routeTemplate('/dashboards')).toBe('unmatched');
  });
});
