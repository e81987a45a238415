import type { Viewer } from '../auth/viewer.ts';
import { visibleTo } from '../auth/visibility.ts';
import type { Queryable } from '../db/db.ts';
import { Params } from '../db/params.ts';

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

export const INTERCEPTION_COLUMNS = (a = 'i') =>
  `${a}.id, ${a}.initiator_id AS "initiatorId", ${a}.provider, ${a}.provider_name AS "providerName", ${a}.model,
   ${a}.started_at AS "startedAt", ${a}.ended_at AS "endedAt", ${a}.metadata, ${a}.api_key_id AS "apiKeyId", ${a}.client,
   ${a}.thread_parent_id AS "threadParentId", ${a}.thread_root_id AS "threadRootId",
   ${a}.client_session_id AS "clientSessionId", ${a}.session_id AS "sessionId",
   ${a}.credential_kind::text AS "credentialKind", ${a}.credential_hint AS "credentialHint"`;

/** The filters both surfaces offer; every field is an exact match unless said otherwise. */
export interface InterceptionFilter {
  initiatorId?: string;
  provider?: string;
  providerName?: string;
  model?: string;
  /** `Unknown` also matches NULL, as Coder stores both. */
  client?: string;
  sessionId?: string;
  /** Inclusive bounds, RFC 3339. */
  startedAfter?: string;
  startedBefore?: string;
  /** Only completed interceptions (ended_at set) unless true. */
  includeInFlight?: boolean;
}

/** Conditions (joined with AND) for visible interceptions matching the filter. */
export function interceptionConditions(viewer: Viewer, f: InterceptionFilter, p: Params, a = 'i'): string {
  const c: string[] = [visibleTo(viewer, p, a)];
  if (!f.includeInFlight) c.push(`${a}.ended_at IS NOT NULL`);
  if (f.initiatorId !== undefined) c.push(`${a}.initiator_id = ${p.add(f.initiatorId)}::uuid`);
  if (f.provider !== undefined) c.push(`${a}.provider = ${p.add(f.provider)}`);
  if (f.providerName !== undefined) c.push(`${a}.provider_name = ${p.add(f.providerName)}`);
  if (f.model !== undefined) c.push(`${a}.model = ${p.add(f.model)}`);
  if (f.client !== undefined) {
    c.push(f.client === 'Unknown' ? `(${a}.client IS NULL OR ${a}.client = 'Unknown')` : `${a}.client = ${p.add(f.client)}`);
  }
  if (f.sessionId !== undefined) c.push(`${a}.session_id = ${p.add(f.sessionId)}`);
  if (f.startedAfter !== undefined) c.push(`${a}.started_at >= ${p.add(f.startedAfter)}::timestamptz`);
  if (f.startedBefore !== undefined) c.push(`${a}.started_at <= ${p.add(f.startedBefore)}::timestamptz`);
  return c.join(' AND ');
}

/** A position in the (started_at DESC, id DESC) order. */
export interface InterceptionCursor {
  startedAt: string;
  id: string;
}

export interface KeysetPage<C> {
  /** Rows wanted; one more is read to tell whether another page exists. */
  limit: number;
  offset?: number;
  /** Rows strictly after this position in list order (older). */
  after?: C;
  /** Rows strictly before this position in list order (newer); the page nearest to it is returned. */
  before?: C;
  /** With `before` (or alone): take the last `limit` rows of the range, as Relay's `last`. */
  fromEnd?: boolean;
}

export interface PageResult<T> {
  rows: T[];
  /** More rows exist beyond the page in the direction read. */
  hasMore: boolean;
}

/** Visible interceptions, newest first, by keyset or offset. */
export async function listInterceptions(
  db: Queryable,
  viewer: Viewer,
  filter: InterceptionFilter,
  page: KeysetPage<InterceptionCursor>,
): Promise<PageResult<InterceptionRow>> {
  const p = new Params();
  const where = [interceptionConditions(viewer, filter, p)];
  if (page.after) where.push(`(i.started_at, i.id) < (${p.add(page.after.startedAt)}::timestamptz, ${p.add(page.after.id)}::uuid)`);
  if (page.before) where.push(`(i.started_at, i.id) > (${p.add(page.before.startedAt)}::timestamptz, ${p.add(page.before.id)}::uuid)`);
  const reverse = Boolean(page.fromEnd);
  const order = reverse ? 'i.started_at ASC, i.id ASC' : 'i.started_at DESC, i.id DESC';
  const rows = await db.query<InterceptionRow>(
    `SELECT ${INTERCEPTION_COLUMNS()} FROM aibridge_interceptions i
      WHERE ${where.join(' AND ')} ORDER BY ${order}
      LIMIT ${p.add(page.limit + 1)} OFFSET ${p.add(page.offset ?? 0)}`,
    p.values,
  );
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
  const p = new Params();
  const initiators = p.add(unique.map((k) => k.initiatorId.toLowerCase()));
  const join = bySession
    ? `JOIN unnest(${initiators}::uuid[], ${p.add(unique.map((k) => k.sessionId!))}::text[]) AS k(initiator_id, session_id)
            ON i.initiator_id = k.initiator_id AND i.session_id = k.session_id`
    : `JOIN unnest(${initiators}::uuid[]) AS k(initiator_id) ON i.initiator_id = k.initiator_id`;
  const partition = bySession ? 'i.initiator_id, i.session_id' : 'i.initiator_id';
  const order = page.fromEnd ? 'i.started_at ASC, i.id ASC' : 'i.started_at DESC, i.id DESC';
  const rows = await db.query<InterceptionRow & { n: string }>(
    `SELECT * FROM (
       SELECT ${INTERCEPTION_COLUMNS()}, row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS n
         FROM aibridge_interceptions i ${join}
        WHERE ${interceptionConditions(viewer, filter, p)}
     ) x WHERE n <= ${p.add(page.limit + 1)} ORDER BY n`,
    p.values,
  );
  const perParent = new Map<string, InterceptionRow[]>(unique.map((k) => [interceptionParentKey(k), []]));
  for (const { n: _n, ...r } of rows) perParent.get(interceptionParentKey(bySession ? r : { initiatorId: r.initiatorId }))?.push(r);
  return parents.map((k) => keysetResult(perParent.get(interceptionParentKey(k))!, page));
}

/**
 * The page from rows read with LIMIT limit+1 (the extra row only tells that more exist), put
 * back in list order when they were read from the end (`fromEnd`).
 */
export function keysetResult<T>(rows: T[], page: KeysetPage<unknown>): PageResult<T> {
  const kept = rows.slice(0, page.limit);
  if (page.fromEnd) kept.reverse();
  return { rows: kept, hasMore: rows.length > page.limit };
}

export async function countInterceptions(db: Queryable, viewer: Viewer, filter: InterceptionFilter): Promise<number> {
  const p = new Params();
  const [row] = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM aibridge_interceptions i WHERE ${interceptionConditions(viewer, filter, p)}`,
    p.values,
  );
  return Number(row!.n);
}

/** Visible interceptions by id, in the order asked (null where absent or invisible). */
export async function interceptionsByIds(db: Queryable, viewer: Viewer, ids: readonly string[], includeInFlight = true): Promise<(InterceptionRow | null)[]> {
  const p = new Params();
  const rows = await db.query<InterceptionRow>(
    `SELECT ${INTERCEPTION_COLUMNS()} FROM aibridge_interceptions i
      WHERE i.id = ANY(${p.add(ids.filter(isUuid))}::uuid[]) AND ${interceptionConditions(viewer, { includeInFlight }, p)}`,
    p.values,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
}

export function isUuid(v: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);
}
