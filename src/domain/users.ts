import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named } from '../db/sql.ts';
import { uuidsOnly } from './ids.ts';

/** A Coder user as both surfaces show it (initiators, `viewer`, `User` nodes). */
export interface UserRow {
  id: string;
  username: string;
  name: string;
  avatarUrl: string;
}

/**
 * Users by id, soft-deleted included (they still appear as initiators), in the order asked;
 * null where absent. Callers pass only ids of initiators of rows the viewer may see.
 */
export async function usersByIds(db: Queryable, ids: readonly string[]): Promise<(UserRow | null)[]> {
  const rows = await db.query<UserRow>(named('users.byIds')`
    SELECT id, username, name, avatar_url AS "avatarUrl" FROM users WHERE id = ANY(${uuidsOnly(ids)}::uuid[])`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** The distinct users among `ids`, by id (one statement, however many rows name them). */
export async function userMapFor(db: Queryable, ids: readonly string[]): Promise<Map<string, UserRow | null>> {
  const distinct = [...new Set(ids)];
  const users = await usersByIds(db, distinct);
  return new Map(distinct.map((id, n) => [id, users[n]!]));
}

/**
 * Users by id for a direct lookup (GraphQL `node`): a member may look up only themselves;
 * owners and auditors anyone, soft-deleted included.
 */
export async function usersVisibleTo(db: Queryable, viewer: Viewer, ids: readonly string[]): Promise<(UserRow | null)[]> {
  const rows = await db.query<UserRow>(named('users.visibleByIds')`
    SELECT id, username, name, avatar_url AS "avatarUrl" FROM users
     WHERE id = ANY(${uuidsOnly(ids)}::uuid[]) AND (${viewer.seesAll} OR id = ${viewer.id})`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

/** The id of the non-deleted user with this username (case-insensitive); null when none. */
export async function userIdByName(db: Queryable, username: string): Promise<string | null> {
  const [row] = await db.query<{ id: string }>(named('users.idByName')`
    SELECT id FROM users WHERE lower(username) = lower(${username}) AND NOT deleted`);
  return row?.id ?? null;
}
