import { runCli } from './cli/dispatch.ts';

// A command that succeeded ends by itself once its handles close (`serve` keeps listening).
const code = await runCli(process.argv.slice(2));
if (code !== 0) process.exit(code);
