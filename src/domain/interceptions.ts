import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { uuidsOnly } from './ids.ts';
import { interceptionConditions, type InterceptionFilter } from './interception-filter.ts';
import { keysetResult, type KeysetPage, type PageResult } from './paging.ts';

/** One aibridge_interceptions row; timestamps are PostgreSQL text in UTC (see values.ts). */
export interface InterceptionRow {
  id: string;
  initiatorId: string;
  provider: string;
  providerName: string;
  model: string;
  startedAt: string;
  endedAt: string | null;
  metadata: unknown;
  apiKeyId: string | null;
  client: string | null;
  threadParentId: string | null;
  threadRootId: string | null;
  clientSessionId: string | null;
  sessionId: string;
  credentialKind: 'centralized' | 'byok';
  credentialHint: string;
}

/** The columns of InterceptionRow, from the interceptions table under alias `a`. */
export const interceptionColumns = (a: SqlFragment = sql`i`) =>
  sql`${a}.id, ${a}.initiator_id AS "initiatorId", ${a}.provider, ${a}.provider_name AS "providerName", ${a}.model,
   ${a}.started_at AS "startedAt", ${a}.ended_at AS "endedAt", ${a}.metadata, ${a}.api_key_id AS "apiKeyId", ${a}.client,
   ${a}.thread_parent_id AS "threadParentId", ${a}.thread_root_id AS "threadRootId",
   ${a}.client_session_id AS "clientSessionId", ${a}.session_id AS "sessionId",
   ${a}.credential_kind::text AS "credentialKind", ${a}.credential_hint AS "credentialHint"`;

/** A position in the (started_at DESC, id DESC) order. */
export interface InterceptionCursor {
  startedAt: string;
  id: string;
}

/** Visible interceptions, newest first, by keyset or offset. */
export async function listInterceptions(
  db: Queryable,
  viewer: Viewer,
  filter: InterceptionFilter,
  page: KeysetPage<InterceptionCursor>,
): Promise<PageResult<InterceptionRow>> {
  const where = [interceptionConditions(viewer, filter)];
  if (page.after) where.push(sql`(i.started_at, i.id) < (${page.after.startedAt}::timestamptz, ${page.after.id}::uuid)`);
  if (page.before) where.push(sql`(i.started_at, i.id) > (${page.before.startedAt}::timestamptz, ${page.before.id}::uuid)`);
  const order = page.fromEnd ? sql`i.started_at ASC, i.id ASC` : sql`i.started_at DESC, i.id DESC`;
  const rows = await db.query<InterceptionRow>(named('interceptions.page')`
    SELECT ${interceptionColumns()} FROM aibridge_interceptions i
     WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order}
     LIMIT ${page.limit + 1} OFFSET ${page.offset ?? 0}`);
  return keysetResult(rows, page);
}

/**
 * Whose interceptions a nested connection lists: one user's (`User.interceptions`) or one
 * session's (`Session.interceptions`: the initiator and the session id).
 */
export interface InterceptionParent {
  initiatorId: string;
  sessionId?: string;
}

/** Identifies a parent in maps; JSON because session ids are free text (no separator is safe). */
export const interceptionParentKey = (k: InterceptionParent) => JSON.stringify([k.initiatorId.toLowerCase(), k.sessionId ?? null]);

/**
 * The first (or, fromEnd, the last) `limit` visible interceptions of each parent matching
 * `filter`, in list order (started_at DESC, id DESC): one statement whatever the number of
 * parents, for nested GraphQL lists (`sessions { interceptions }`). Each page is what
 * listInterceptions returns for `{ ...filter, ...parent }` without a cursor; cursor pages use it.
 * Either every parent has a sessionId or none has, and `filter` names neither the initiator nor,
 * for sessions, the session (the parents do).
 */
export async function firstInterceptionPages(
  db: Queryable,
  viewer: Viewer,
  filter: InterceptionFilter,
  parents: readonly InterceptionParent[],
  page: { limit: number; fromEnd?: boolean },
): Promise<PageResult<InterceptionRow>[]> {
  const bySession = parents.some((k) => k.sessionId !== undefined);
  if (bySession && !parents.every((k) => k.sessionId !== undefined)) throw new Error('firstInterceptionPages: mixed parent kinds');
  const unique = [...new Map(parents.map((k) => [interceptionParentKey(k), k])).values()];
  const initiators = unique.map((k) => k.initiatorId.toLowerCase());
  const join = bySession
    ? sql`JOIN unnest(${initiators}::uuid[], ${unique.map((k) => k.sessionId!)}::text[]) AS k(initiator_id, session_id)
            ON i.initiator_id = k.initiator_id AND i.session_id = k.session_id`
    : sql`JOIN unnest(${initiators}::uuid[]) AS k(initiator_id) ON i.initiator_id = k.initiator_id`;
  const partition = bySession ? sql`i.initiator_id, i.session_id` : sql`i.initiator_id`;
  const order = page.fromEnd ? sql`i.started_at ASC, i.id ASC` : sql`i.started_at DESC, i.id DESC`;
  const rows = await db.query<InterceptionRow & { n: string }>(named('interceptions.firstPagesOfParents')`
    SELECT * FROM (
      SELECT ${interceptionColumns()}, row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS n
        FROM aibridge_interceptions i ${join}
       WHERE ${interceptionConditions(viewer, filter)}
    ) x WHERE n <= ${page.limit + 1} ORDER BY n`);
  const perParent = new Map<string, InterceptionRow[]>(unique.map((k) => [interceptionParentKey(k), []]));
  for (const { n: _n, ...r } of rows) perParent.get(interceptionParentKey(bySession ? r : { initiatorId: r.initiatorId }))?.push(r);
  return parents.map((k) => keysetResult(perParent.get(interceptionParentKey(k))!, page));
}

export async function countInterceptions(db: Queryable, viewer: Viewer, filter: InterceptionFilter): Promise<number> {
  const [row] = await db.query<{ n: string }>(named('interceptions.count')`
    SELECT count(*) AS n FROM aibridge_interceptions i WHERE ${interceptionConditions(viewer, filter)}`);
  return Number(row.n);
}

/** Visible interceptions by id, in the order asked (null where absent or invisible). */
export async function interceptionsByIds(db: Queryable, viewer: Viewer, ids: readonly string[], includeInFlight = true): Promise<(InterceptionRow | null)[]> {
  const rows = await db.query<InterceptionRow>(named('interceptions.byIds')`
    SELECT ${interceptionColumns()} FROM aibridge_interceptions i
     WHERE i.id = ANY(${uuidsOnly(ids)}::uuid[]) AND ${interceptionConditions(viewer, { includeInFlight })}`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}
