import type { Queryable } from '../db/db.ts';
import { named } from '../db/sql.ts';
import { seesAllWith } from './viewer.ts';

/** Who a still-valid API key signs in, as far as what they may read depends on it. */
export interface SignedIn {
  userId: string;
  seesAll: boolean;
}

/**
 * The API keys among `keyIds` that still authenticate, in one statement for any number: a key
 * that was deleted (logout, revocation), has expired, or whose user was deleted or suspended is
 * absent, as authenticate() would refuse it. Live subscriptions ask (src/live/feed.ts): they
 * authenticate once, when they open, and an open stream must not outlive its key.
 */
export async function stillSignedIn(db: Queryable, keyIds: readonly string[]): Promise<Map<string, SignedIn>> {
  if (keyIds.length === 0) return new Map();
  const rows = await db.query<{ id: string; user_id: string; rbac_roles: string[] }>(named('auth.stillSignedIn')`
    SELECT k.id, u.id AS user_id, u.rbac_roles
      FROM api_keys k JOIN users u ON u.id = k.user_id
     WHERE k.id = ANY(${keyIds}::text[]) AND k.expires_at > now() AND NOT u.deleted AND u.status::text <> 'suspended'`);
  return new Map(rows.map((r) => [r.id, { userId: r.user_id, seesAll: seesAllWith(r.rbac_roles) }]));
}
