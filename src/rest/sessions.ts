import { inSnapshot } from '../db/db.ts';
import { userMapFor, type UserRow } from '../domain/users.ts';
import { networkCallCounts, type NetworkCalls } from '../domain/network-calls.ts';
import { countSessions, listSessions, sessionCursorFor, type SessionCursor, type SessionRow } from '../domain/sessions.ts';
import { rfc3339, rfc3339OrNull } from '../domain/values.ts';
import type { SearchSpec } from '../domain/search.ts';
import { metadataMap, minimalUser, tokenSummary } from './coder-shapes.ts';
import { encodeCoderJson, JsonInt } from './encode.ts';
import { readListPagination, readSearch } from './query.ts';
import { HttpError, rawJson } from './respond.ts';
import type { RestContext } from './router.ts';

/** `q` of /sessions (the sessions export reads it the same way). */
export const SESSION_SEARCH: SearchSpec = { keys: ['initiator', 'provider', 'model', 'client', 'session_id', 'started_after', 'started_before'], bareWordKey: null };
export const SESSION_SEARCH_ERROR = 'Invalid session search query.';

/**
 * GET /api/v2/aibridge/sessions: sessions (completed interceptions grouped by session id and
 * initiator) ordered by last activity, newest first; cursor `after_session_id`. The aggregates
 * are defined in src/domain/sessions.ts.
 */
export async function getSessions(ctx: RestContext): Promise<Response> {
  const { db, viewer } = ctx;
  const page = readListPagination(ctx.url, 'after_session_id');
  const filter = await readSearch(ctx, page.q, SESSION_SEARCH, SESSION_SEARCH_ERROR);
  // The cursor's position, the page and the count read one snapshot: they agree while rows are written.
  const [list, count] = await inSnapshot(db, async (q) => {
    let after: SessionCursor | undefined;
    if (page.cursor !== undefined) {
      const found = await sessionCursorFor(q, viewer, filter, page.cursor);
      if (!found) {
        throw new HttpError(400, { message: 'Query parameter has invalid value.', detail: `after_session_id: session ${JSON.stringify(page.cursor)} not found` });
      }
      after = found;
    }
    // Both at once: a count joined from another request (shared-reads.ts) leaves this connection
    // to the page; a count sent here queues behind the page on the same connection.
    return Promise.all([listSessions(q, viewer, filter, { limit: page.limit, offset: page.offset, after }), countSessions(q, viewer, filter)]);
  });
  const [users, calls] = await Promise.all([
    userMapFor(db, list.rows.map((s) => s.initiatorId)),
    networkCallCounts(db, await ctx.schema.current(), viewer, list.rows),
  ]);
  const sessions = list.rows.map((s, n) => sessionListItem(s, users.get(s.initiatorId) ?? null, calls[n] ?? null));
  return rawJson(encodeCoderJson({ count: new JsonInt(String(count)), sessions }));
}

/** One item of the list (codersdk.AIBridgeSession); the sessions export writes the same. */
export function sessionListItem(s: SessionRow, user: UserRow | null, calls: NetworkCalls | null) {
  return {
    id: s.sessionId,
    initiator: minimalUser(s.initiatorId, user),
    providers: s.providers,
    models: s.models,
    client: s.client,
    metadata: metadataMap(s.metadata),
    started_at: rfc3339(s.startedAt),
    ended_at: rfc3339OrNull(s.endedAt) ?? undefined,
    threads: new JsonInt(String(s.threadCount)),
    token_usage_summary: tokenSummary(s.tokenUsage),
    last_prompt: s.lastPrompt ?? undefined,
    last_active_at: rfc3339(s.lastActiveAt),
    network_calls: networkCallsJson(calls),
  };
}

/** Coder's {total, blocked}; omitted where the firewall saw none of the session. */
export function networkCallsJson(calls: NetworkCalls | null) {
  return calls ? { total: new JsonInt(String(calls.total)), blocked: new JsonInt(String(calls.blocked)) } : undefined;
}
