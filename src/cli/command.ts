import { CONFIG_VARIABLES } from '../config.ts';

/** One CLI command: the words that select it, its options (each takes a value) and its help. */
export interface Command<Option extends string = string> {
  /** e.g. ['user', 'create'] */
  words: readonly string[];
  /** How to call it, on one line; the general usage lists these with the summary. */
  synopsis: string;
  summary: string;
  /** The rest of its `--help`: what it does and what each option means. */
  description: string;
  options: readonly Option[];
  /** Throws UsageError for a bad option value before doing any I/O. */
  run(values: Partial<Record<Option, string>>): Promise<void>;
}

/** Keeps each command's option names checked against what its `run` reads. */
export const defineCommand = <Option extends string>(command: Command<Option>): Command<Option> => command;

/** The command line itself is wrong (exit 2): the message, then the command's usage. */
export class UsageError extends Error {}

export const ENVIRONMENT = `Environment: ${CONFIG_VARIABLES.join(', ')} (see README.md).`;

export const usageOf = (command: Command) =>
  `usage: aibridge-graphql ${command.synopsis}\n\n${command.description}\n\n${ENVIRONMENT}`;

export const err = (line: string) => process.stderr.write(`${line}\n`);

export function required(name: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export function wholeNumber(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${value}"`);
  return Number(value);
}
