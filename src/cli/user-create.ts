import { loadConfig } from '../config.ts';
import { createUser, ROLES, usernameProblem, type Role } from '../db/users.ts';
import { defineCommand, required, UsageError } from './command.ts';
import { withWritableDb } from './writable-db.ts';

const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export const userCreateCommand = defineCommand({
  words: ['user', 'create'],
  synopsis: `user create --username U [--role ${ROLES.join('|')}] [--name N] [--email E]`,
  summary: 'create a user; prints its id',
  description: `Creates a user and prints its id alone on stdout.

  --username U   1-32 letters, digits or inner dashes (required)
  --role R       ${ROLES.join(', ')} (default member)
  --name N       display name (default empty)
  --email E      (default <username>@example.com)`,
  options: ['username', 'role', 'name', 'email'],
  async run(values) {
    const username = required('username', values.username);
    const problem = usernameProblem(username);
    if (problem) throw new UsageError(problem);
    const role = values.role ?? 'member';
    if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${role}"`);
    const config = loadConfig();
    const id = await withWritableDb(config, (db) => createUser(db, { username, role, name: values.name, email: values.email }));
    process.stdout.write(`${id}\n`);
  },
});
