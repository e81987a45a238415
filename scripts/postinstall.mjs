// Generates the Prisma client the tests read the tables through (src/generated). prisma is a
// devDependency: a production install (`npm ci --omit=dev`) has no prisma and needs no client,
// so there it skips instead of failing the install.
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
