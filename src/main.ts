import { tuneHeapGrowth } from './ops/heap.ts';

// Before the application's modules load: the old generation's first limits are sized while they do.
tuneHeapGrowth();
const { runCli } = await import('./cli/dispatch.ts');
// A command that succeeded ends by itself once its handles close (`serve` keeps listening).
const code = await runCli(process.argv.slice(2));
if (code !== 0) process.exit(code);
