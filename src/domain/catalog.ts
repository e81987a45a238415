import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { Params } from '../db/params.ts';
import { interceptionConditions } from './interceptions.ts';

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
  return distinct(db, viewer, 'i.model', q);
}

/** NULL and 'Unknown' are one client, `Unknown` (listed once, unlike Coder). */
export function listClients(db: Queryable, viewer: Viewer, q: CatalogQuery): Promise<string[]> {
  return distinct(db, viewer, `COALESCE(i.client, 'Unknown')`, q);
}

async function distinct(db: Queryable, viewer: Viewer, expr: string, q: CatalogQuery): Promise<string[]> {
  const p = new Params();
  const where = [interceptionConditions(viewer, {}, p)];
  if (q.prefix) where.push(`starts_with(${expr}, ${p.add(q.prefix)})`);
  const rows = await db.query<{ v: string }>(
    `SELECT ${expr} AS v FROM aibridge_interceptions i WHERE ${where.join(' AND ')}
      GROUP BY ${expr} ORDER BY ${expr} COLLATE "C"
      ${q.limit === undefined ? '' : `LIMIT ${p.add(q.limit)}`} OFFSET ${p.add(q.offset ?? 0)}`,
    p.values,
  );
  return rows.map((r) => r.v);
}
