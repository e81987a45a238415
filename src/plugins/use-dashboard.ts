import { readFile } from 'node:fs/promises';
import type { Plugin } from 'graphql-yoga';

/**
 * Where `npm run build` (dashboard/build.mjs) writes the dashboard's assets. dist/ sits at the
 * same depth below the package root as src/, so this holds from src/plugins and dist/plugins alike.
 */
const ASSETS_DIR = new URL('../../dist/dashboard/', import.meta.url);

const PAGE_PATHS = new Set(['/dashboard', '/dashboard/']);
const ASSET_PREFIX = '/dashboard/assets/';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

interface Manifest {
  js: string;
  css: string;
}

interface Assets {
  manifest: Manifest;
  files: Map<string, Buffer>;
}

export interface DashboardOptions {
  /**
   * The headers GraphiQL opens with (AppDeps.graphiqlHeaders): set only where serve decided the
   * page may carry the demo owner's token (embedded demo on a loopback HOST). The dashboard opens
   * signed in under exactly the same decision.
   */
  demoHeaders?: Record<string, string>;
  /** The built assets (default: dist/dashboard); tests point elsewhere. */
  assetsDir?: URL;
}

/** `<` escaped so a value can never close the script element it is embedded in. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(manifest: Manifest, config: { headers?: Record<string, string> }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI Bridge usage · aibridge-graphql</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSET_PREFIX}${manifest.css}">
<script id="dashboard-config" type="application/json">${scriptJson(config)}</script>
<script type="module" src="${ASSET_PREFIX}${manifest.js}"></script>
</head>
<body>
<noscript>The dashboard needs JavaScript. GraphiQL at <a href="/graphql">/graphql</a> answers the same questions.</noscript>
<div id="app" aria-live="polite">Loading…</div>
</body>
</html>
`;
}

/**
 * GET /dashboard: the usage dashboard (dashboard/src), a static page that reads /graphql like any
 * other client, so it sees exactly what the caller's token may see. The HTML is cheap and may
 * carry the demo token: never cached. The assets have content-hashed names: cached for a year
 * and immutable. Files are read once, on the first request, and only names the build's manifest
 * lists are served (nothing else of the disk is reachable).
 */
export function useDashboard(options: DashboardOptions = {}): Plugin {
  const dir = options.assetsDir ?? ASSETS_DIR;
  let loading: Promise<Assets | undefined> | undefined;
  const load = () =>
    (loading ??= (async () => {
      const manifest = JSON.parse(await readFile(new URL('manifest.json', dir), 'utf8')) as Manifest;
      const names = [manifest.js, manifest.css, `${manifest.js}.map`, `${manifest.css}.map`];
      const files = new Map<string, Buffer>();
      for (const name of names) {
        const body = await readFile(new URL(`assets/${name}`, dir)).catch(() => undefined);
        if (body) files.set(name, body);
      }
      return { manifest, files };
    })().catch(() => {
      // Not built (yet): answer 503 and look again next time, so a build needs no restart.
      loading = undefined;
      return undefined;
    }));

  return {
    async onRequest(hook) {
      const { url, request, fetchAPI } = hook;
      const endResponse = (response: Response) => hook.endResponse(response);
      const isPage = PAGE_PATHS.has(url.pathname);
      if (!isPage && !url.pathname.startsWith(ASSET_PREFIX)) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return endResponse(new fetchAPI.Response('Method Not Allowed', { status: 405, headers: { allow: 'GET, HEAD' } }));
      }
      const assets = await load();
      if (!assets) {
        return endResponse(
          new fetchAPI.Response('The dashboard assets are not built: run `npm run build`.\n', {
            status: 503,
            headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
          }),
        );
      }
      if (isPage) {
        return endResponse(
          new fetchAPI.Response(page(assets.manifest, { headers: options.demoHeaders }), {
            headers: {
              'content-type': 'text/html; charset=utf-8',
              // no-store, not just no-cache: the demo page carries a token.
              'cache-control': 'no-store',
              'x-content-type-options': 'nosniff',
              'referrer-policy': 'no-referrer',
            },
          }),
        );
      }
      const name = url.pathname.slice(ASSET_PREFIX.length);
      const body = assets.files.get(name);
      if (!body) return endResponse(new fetchAPI.Response('Not Found', { status: 404, headers: { 'cache-control': 'no-store' } }));
      return endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
          headers: {
            'content-type': CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
            'content-length': String(body.length),
            'cache-control': 'public, max-age=31536000, immutable',
            'x-content-type-options': 'nosniff',
          },
        }),
      );
    },
  };
}
