import { randomUUID } from 'node:crypto';
import type { Queryable } from './db.ts';
import { named } from './sql.ts';
import { userIdByName } from '../domain/users.ts';
import { hashSecret, newToken } from '../auth/token.ts';

export const ROLES = ['owner', 'auditor', 'member'] as const;
export type Role = (typeof ROLES)[number];

export interface NewUser {
  id?: string;
  username: string;
  role: Role;
  name?: string;
  email?: string;
  avatarUrl?: string;
  status?: 'active' | 'suspended' | 'dormant';
  deleted?: boolean;
}

export class UserInputError extends Error {}

const USERNAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;

/** Why `username` cannot name a user, or undefined when it can: callers check it before any I/O. */
export function usernameProblem(username: string): string | undefined {
  return USERNAME.test(username) ? undefined : `invalid username "${username}": 1-32 letters, digits or inner dashes`;
}

/** Creates a user; `member` is implicit in Coder, so it stores no role. */
export async function createUser(db: Queryable, u: NewUser): Promise<string> {
  const problem = usernameProblem(u.username);
  if (problem) throw new UserInputError(problem);
  if (!ROLES.includes(u.role)) throw new UserInputError(`invalid role "${u.role}": one of ${ROLES.join(', ')}`);
  if ((await userIdByName(db, u.username)) !== null) throw new UserInputError(`user "${u.username}" already exists`);
  const id = u.id ?? randomUUID();
  await db.query(named('users.create')`
    INSERT INTO users (id, email, username, name, avatar_url, rbac_roles, status, deleted)
    VALUES (${id}, ${u.email ?? `${u.username.toLowerCase()}@example.com`}, ${u.username}, ${u.name ?? ''},
            ${u.avatarUrl ?? ''}, ${u.role === 'member' ? [] : [u.role]}, ${u.status ?? 'active'}::user_status, ${u.deleted ?? false})`);
  return id;
}

/** Creates a session token for a user and returns it; only its SHA-256 is stored. */
export async function createToken(db: Queryable, username: string, lifetimeSeconds = 30 * 24 * 3600, tokenName = ''): Promise<string> {
  const userId = await userIdByName(db, username);
  if (userId === null) throw new UserInputError(`user "${username}" does not exist`);
  const { id, secret, token } = newToken();
  await db.query(named('apiKeys.create')`
    INSERT INTO api_keys (id, hashed_secret, user_id, expires_at, login_type, lifetime_seconds, token_name)
    VALUES (${id}, ${hashSecret(secret)}, ${userId}, now() + make_interval(secs => ${lifetimeSeconds}), 'token', ${lifetimeSeconds}, ${tokenName})`);
  return token;
}
