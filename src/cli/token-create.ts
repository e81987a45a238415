import { loadConfig } from '../config.ts';
import { createToken, usernameProblem } from '../db/users.ts';
import { defineCommand, required, UsageError, wholeNumber } from './command.ts';
import { withWritableDb } from './writable-db.ts';

export const tokenCreateCommand = defineCommand({
  words: ['token', 'create'],
  synopsis: 'token create --username U [--lifetime-days D]',
  summary: 'create a session token; prints it',
  description: `Creates a session token for an existing user and prints it alone on stdout.

  --username U        the user (required)
  --lifetime-days D   days until it expires (default 30)`,
  options: ['username', 'lifetime-days'],
  async run(values) {
    const username = required('username', values.username);
    const problem = usernameProblem(username);
    if (problem) throw new UsageError(problem);
    const days = wholeNumber('lifetime-days', values['lifetime-days'], 30, 1);
    const config = loadConfig();
    const token = await withWritableDb(config, (db) => createToken(db, username, days * 86_400, 'cli'));
    process.stdout.write(`${token}\n`);
  },
});
