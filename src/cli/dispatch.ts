import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { UserInputError } from '../db/users.ts';
import { exportCommands } from './export.ts';
import { ENVIRONMENT, err, usageOf, UsageError, type Command } from './command.ts';
import { pricesCommand } from './prices.ts';
import { seedCommand } from './seed.ts';
import { serveCommand } from './serve.ts';
import { tokenCreateCommand } from './token-create.ts';
import { userCreateCommand } from './user-create.ts';

const COMMANDS: readonly Command[] = [serveCommand, seedCommand, userCreateCommand, tokenCreateCommand, ...exportCommands];

const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const GENERAL_USAGE = `usage: aibridge-graphql <command> [options]

${COMMANDS.map((c) => `  ${c.synopsis}\n      ${c.summary}`).join('\n')}
  prices import FILE | export | list
      the gateway's price overrides, in Coder's price-file format (\`prices --help\`)

With no command, serve. \`aibridge-graphql <command> --help\` describes a command.
${ENVIRONMENT}`;

const HELP = ['--help', '-h', 'help'];

/**
 * Runs one command line; returns the exit code: 0 done (`serve` keeps listening after it
 * returns), 1 the command failed, 2 the command line or the environment is wrong.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  // `prices import FILE` takes a positional argument, which the Command model does not.
  if (argv[0] === 'prices') return pricesCommand(argv.slice(1), process.env);
  if (argv.length === 1 && HELP.includes(argv[0])) {
    process.stdout.write(`${GENERAL_USAGE}\n`);
    return EXIT.ok;
  }
  const command = argv.length === 0 ? serveCommand : COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  if (!command) {
    const grouped = COMMANDS.some((c) => c.words.length > 1 && c.words[0] === argv[0]);
    const given = grouped ? argv.slice(0, 2).join(' ') : argv[0];
    err(`${given.startsWith('-') ? `options come after a command: "${given}"` : `unknown command "${given}"`}\n\n${GENERAL_USAGE}`);
    return EXIT.usage;
  }
  try {
    const values = parseOptions(command, argv.slice(command.words.length));
    if (values === 'help') {
      process.stdout.write(`${usageOf(command)}\n`);
      return EXIT.ok;
    }
    await command.run(values);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message}\n\n${usageOf(command)}`);
      return EXIT.usage;
    }
    if (e instanceof ConfigError) {
      err(e.message);
      return EXIT.usage;
    }
    // Refusals the database gave (a taken username, an unknown user): the command line was fine.
    err(e instanceof UserInputError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failure;
  }
}

/** The command's options by name, or 'help'; strict: an unknown option or a stray argument is a UsageError. */
function parseOptions(command: Command, args: string[]): Partial<Record<string, string>> | 'help' {
  const options = Object.fromEntries(command.options.map((name) => [name, { type: 'string' as const }]));
  try {
    const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: { ...options, help: { type: 'boolean', short: 'h' } } });
    if (values.help) return 'help';
    return values as Partial<Record<string, string>>;
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(e.message);
    throw e;
  }
}
