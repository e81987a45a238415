import { randomUUID } from 'node:crypto';
import type { Queryable } from './db.ts';
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
  const existing = await db.query('SELECT 1 FROM users WHERE lower(username) = lower($1) AND NOT deleted', [u.username]);
  if (existing.length > 0) throw new UserInputError(`user "${u.username}" already exists`);
  const id = u.id ?? randomUUID();
  await db.query(
    `INSERT INTO users (id, email, username, name, avatar_url, rbac_roles, status, deleted)
     VALUES ($1, $2, $3, $4, $5, $6, $7::user_status, $8)`,
    [
      id,
      u.email ?? `${u.username.toLowerCase()}@example.com`,
      u.username,
      u.name ?? '',
      u.avatarUrl ?? '',
      u.role === 'member' ? [] : [u.role],
      u.status ?? 'active',
      u.deleted ?? false,
    ],
  );
  return id;
}

/** Creates a session token for a user and returns it; only its SHA-256 is stored. */
export async function createToken(db: Queryable, username: string, lifetimeSeconds = 30 * 24 * 3600, tokenName = ''): Promise<string> {
  const [user] = await db.query<{ id: string }>('SELECT id FROM users WHERE lower(username) = lower($1) AND NOT deleted', [username]);
  if (!user) throw new UserInputError(`user "${username}" does not exist`);
  const { id, secret, token } = newToken();
  await db.query(
    `INSERT INTO api_keys (id, hashed_secret, user_id, expires_at, login_type, lifetime_seconds, token_name)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4), 'token', $4, $5)`,
    [id, hashSecret(secret), user.id, lifetimeSeconds, tokenName],
  );
  return token;
}
