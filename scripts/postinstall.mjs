// Generates the Prisma client (src/generated): the gateway's price overrides and the tests use it.
// prisma is a devDependency: a production install (`npm ci --omit=dev --omit=optional`) has no
// prisma and gets the client compiled into dist/, so there it skips instead of failing the install.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let manifest;
try {
  manifest = require.resolve('prisma/package.json');
} catch {
  console.log('postinstall: prisma is not installed (production install): no client to generate');
  process.exit(0);
}
const cli = path.join(path.dirname(manifest), require(manifest).bin.prisma);
const { status, error } = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit' });
if (error) throw error;
process.exit(status ?? 1);
