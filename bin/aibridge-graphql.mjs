#!/usr/bin/env node
// Runs the compiled entry: a production install (`npm ci --omit=dev --omit=optional`) has no TypeScript runtime.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('aibridge-graphql: dist/ is missing; run `npm run build` in the package folder first\n');
  process.exit(1);
}
await import(entry.href);
