// `npm start` runs dist/: compile it first where TypeScript is installed (tsc -b rebuilds only
// when a source changed). A production install (`npm ci --omit=dev --omit=optional`) has no TypeScript and runs
// the dist/ it was given; without one there is nothing to start.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  if (existsSync(new URL('../dist/main.js', import.meta.url))) process.exit(0);
  console.error('npm start: dist/ is missing and TypeScript is not installed to build it (install with dev dependencies, or copy a built dist/)');
  process.exit(1);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const { status, error } = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (error) throw error;
if (status !== 0) process.exit(status ?? 1);
// The dashboard's browser assets (esbuild, installed with TypeScript): rebuilt only when a source changed.
const dashboard = await import('../dashboard/build.mjs');
if (await dashboard.isStale()) await dashboard.buildDashboard();
