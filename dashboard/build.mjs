// Builds the dashboard's browser assets (dashboard/src, TypeScript) into dist/dashboard with
// esbuild: content-hashed file names (served as immutable by src/plugins/use-dashboard.ts) and a
// manifest.json naming them, which the page's HTML links. Run by `npm run build`, by prestart and
// by the test setup; `node dashboard/build.mjs` alone works too. esbuild does not type-check:
// `tsc --noEmit -p dashboard` does (npm test).
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SRC_DIR = path.join(root, 'dashboard', 'src');
export const OUT_DIR = path.join(root, 'dist', 'dashboard');
const MANIFEST = path.join(OUT_DIR, 'manifest.json');

async function newestSource(dir = SRC_DIR) {
  let newest = (await stat(path.join(root, 'package-lock.json'))).mtimeMs;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** True when no build exists or a source (or the lock file) changed since the last one. */
export async function isStale() {
  const built = await stat(MANIFEST).catch(() => undefined);
  return !built || (await newestSource()) > built.mtimeMs;
}

/**
 * Builds the assets; resolves to the manifest ({ js, css }: file names below dist/dashboard/assets).
 * Never empties the folder first: the same source gives the same hashed names, so a build next to
 * a running server (the test suite's packaging test) replaces nothing it may be reading; the
 * manifest is renamed into place, and only assets no longer listed are removed afterwards.
 */
export async function buildDashboard({ quiet = false } = {}) {
  const esbuild = await import('esbuild');
  const assets = path.join(OUT_DIR, 'assets');
  await mkdir(assets, { recursive: true });
  const started = Date.now();
  const result = await esbuild.build({
    entryPoints: { dashboard: path.join(SRC_DIR, 'main.ts') },
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['es2022'],
    platform: 'browser',
    outdir: assets,
    entryNames: '[name]-[hash]',
    metafile: true,
    logLevel: quiet ? 'warning' : 'info',
  });
  const manifest = {};
  const written = new Set();
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    const name = path.basename(file);
    written.add(name);
    if (out.entryPoint && name.endsWith('.js')) manifest.js = name;
    if (name.endsWith('.css')) manifest.css = name;
  }
  if (!manifest.js || !manifest.css) throw new Error(`dashboard build: no entry script or stylesheet in ${[...written].join(', ')}`);
  await writeFile(`${MANIFEST}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${MANIFEST}.tmp`, MANIFEST);
  for (const name of await readdir(assets)) if (!written.has(name)) await rm(path.join(assets, name), { force: true });
  if (!quiet) console.error(`dashboard assets built in ${Date.now() - started} ms: ${manifest.js}, ${manifest.css}`);
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildDashboard();
}
