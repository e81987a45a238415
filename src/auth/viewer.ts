import type { Queryable } from '../db/db.ts';
import { named } from '../db/sql.ts';
import { splitToken, secretMatches } from './token.ts';

export interface Viewer {
  id: string;
  username: string;
  name: string;
  avatarUrl: string;
  roles: string[];
  /** Site owners and auditors read every interception; everyone else only their own. */
  seesAll: boolean;
  /** The API key the request authenticated with: live subscriptions check it again (signed-in.ts). */
  keyId?: string;
}

export const SIGNED_OUT_MESSAGE = 'You are signed out or your session has expired. Please sign in again to continue.';
export const SESSION_COOKIE = 'coder_session_token';
export const SESSION_HEADER = 'Coder-Session-Token';

export class AuthError extends Error {
  constructor(readonly detail: string) {
    super(SIGNED_OUT_MESSAGE);
    this.name = 'AuthError';
  }
}

function cookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    // The raw value, as Coder reads it: a token has no characters that need decoding, and a
    // malformed escape must fail the token check (401), not the request.
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Coder's token sources, first non-empty wins: cookie, query parameter, header, Bearer. */
export function tokenFromRequest(request: Request): string | undefined {
  const url = new URL(request.url);
  const bearer = request.headers.get('authorization')?.match(/^\s*Bearer\s+(.+?)\s*$/i)?.[1];
  const candidates = [
    cookie(request.headers.get('cookie'), SESSION_COOKIE),
    url.searchParams.get(SESSION_COOKIE),
    request.headers.get(SESSION_HEADER),
    bearer,
  ];
  return candidates.map((c) => c?.trim()).find((c) => c);
}

const SITE_WIDE_READERS = new Set(['owner', 'auditor']);
/** Whether these roles read every interception (owner, auditor). */
export const seesAllWith = (roles: readonly string[]): boolean => roles.some((r) => SITE_WIDE_READERS.has(r));

interface KeyRow {
  hashed_secret: Uint8Array;
  expired: boolean;
  expires_at: string;
  user_id: string;
  username: string;
  name: string;
  avatar_url: string;
  rbac_roles: string[];
  status: string;
  deleted: boolean;
}

/** Checks a session token against api_keys; throws AuthError naming the failed check. */
export async function authenticate(db: Queryable, token: string | undefined): Promise<Viewer> {
  if (!token) throw new AuthError(`Cookie "${SESSION_COOKIE}" or query parameter must be provided.`);
  const parts = splitToken(token);
  if ('problem' in parts) throw new AuthError(parts.problem);
  const [key] = await db.query<KeyRow>(named('auth.apiKey')`
    SELECT k.hashed_secret, k.expires_at <= now() AS expired, k.expires_at, u.id AS user_id, u.username, u.name,
            u.avatar_url, u.rbac_roles, u.status::text AS status, u.deleted
       FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.id = ${parts.id}`);
  if (!key) throw new AuthError('API key is invalid.');
  if (!secretMatches(parts.secret, key.hashed_secret)) throw new AuthError('API key secret is invalid.');
  if (key.expired) throw new AuthError(`API key expired at "${key.expires_at}".`);
  if (key.deleted) throw new AuthError('The user of this API key has been deleted.');
  if (key.status === 'suspended') throw new AuthError('The user of this API key is suspended.');
  return {
    id: key.user_id,
    username: key.username,
    name: key.name,
    avatarUrl: key.avatar_url,
    roles: key.rbac_roles,
    seesAll: seesAllWith(key.rbac_roles),
    keyId: parts.id,
  };
}
