import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { interceptionConditions } from './interception-filter.ts';

/**
 * The distinct models and clients of the interceptions a viewer may see (REST `/models`,
 * `/clients`; GraphQL `models(prefix)`, `clients(prefix)`). Completed interceptions only.
 * Sorted in byte order (COLLATE "C") so PGlite and any PostgreSQL locale agree.
 */
export interface CatalogQuery {
  /** Case-sensitive prefix; empty or absent matches everything. */
  prefix?: string;
  limit?: number;
  offset?: number;
}

export function listModels(db: Queryable, viewer: Viewer, q: CatalogQuery): Promise<string[]> {
  return distinct(db, viewer, 'catalog.models', sql`i.model`, q);
}

/** NULL and 'Unknown' are one client, `Unknown` (listed once, unlike Coder). */
export function listClients(db: Queryable, viewer: Viewer, q: CatalogQuery): Promise<string[]> {
  return distinct(db, viewer, 'catalog.clients', sql`COALESCE(i.client, 'Unknown')`, q);
}

async function distinct(db: Queryable, viewer: Viewer, name: string, expr: SqlFragment, q: CatalogQuery): Promise<string[]> {
  const where = [interceptionConditions(viewer, {})];
  if (q.prefix) where.push(sql`starts_with(${expr}, ${q.prefix})`);
  const rows = await db.query<{ v: string }>(named(name)`
    SELECT ${expr} AS v FROM aibridge_interceptions i WHERE ${sql.join(where, sql` AND `)}
     GROUP BY ${expr} ORDER BY ${expr} COLLATE "C"
     ${q.limit === undefined ? sql.empty : sql`LIMIT ${q.limit}`} OFFSET ${q.offset ?? 0}`);
  return rows.map((r) => r.v);
}
