import type { Capabilities } from '../db/capabilities.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql } from '../db/sql.ts';
import { uuidsOnly } from './ids.ts';

/**
 * What a current Coder records about where a request came from, beyond the seed-era columns:
 * its annotations (server-derived context plus the client's work context: repos, branches, issue
 * ids, PR URLs; the keys have changed across Coder versions, so they are passed on as stored),
 * the ai_providers row it was routed through and the workspace the agent ran in. Coder's own
 * session API shows none of them; only GraphQL does. Each column is read only where it exists.
 */
export interface InterceptionAttribution {
  /** As stored (`{}` when Coder recorded none); null where the column does not exist. */
  annotations: unknown;
  providerId: string | null;
  workspaceId: string | null;
}

const NONE: InterceptionAttribution = Object.freeze({ annotations: null, providerId: null, workspaceId: null });

/**
 * Attributions of interceptions by id, in the order asked: one statement, none when the database
 * has none of the three columns. Callers pass ids of interceptions the viewer may see.
 */
export async function attributionsOf(db: Queryable, caps: Capabilities, ids: readonly string[]): Promise<InterceptionAttribution[]> {
  if ((!caps.annotations && !caps.providerId && !caps.workspaceId) || ids.length === 0) return ids.map(() => NONE);
  const rows = await db.query<InterceptionAttribution & { id: string }>(named('interceptions.attribution')`
    SELECT i.id,
           ${caps.annotations ? sql`i.annotations` : sql`NULL::jsonb`} AS annotations,
           ${caps.providerId ? sql`i.provider_id` : sql`NULL::uuid`} AS "providerId",
           ${caps.workspaceId ? sql`i.workspace_id` : sql`NULL::uuid`} AS "workspaceId"
      FROM aibridge_interceptions i WHERE i.id = ANY(${uuidsOnly(ids)}::uuid[])`);
  const byId = new Map(rows.map(({ id, ...r }) => [id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? NONE);
}
