import { userMapFor } from '../domain/users.ts';
import { InvalidCursorError } from '../domain/errors.ts';
import { findSession, sessionsByKeys } from '../domain/sessions.ts';
import { agenticActionsFor, type AgenticAction } from '../domain/thread-members.ts';
import { displayCredentialHint, listThreads, type ThreadRow } from '../domain/threads.ts';
import { latestTimestamp, earliestTimestamp, rfc3339, rfc3339OrNull } from '../domain/values.ts';
import { metadataMap, minimalUser, toolCall, tokenUsageWithMetadata } from './coder-shapes.ts';
import { encodeCoderJson } from './encode.ts';
import { QueryReader } from './query.ts';
import { HttpError, rawJson } from './respond.ts';
import type { RestContext } from './router.ts';
import { THREAD_PAGE } from '../limits.ts';


/**
 * GET /api/v2/aibridge/sessions/{session_id}: one session (by session id or the UUID of any of
 * its interceptions) with a page of its threads, oldest first. The summary covers every thread
 * of the session, not just the page (a fix over Coder's 50-oldest cap).
 */
export async function getSessionDetail(ctx: RestContext): Promise<Response> {
  const { db, viewer } = ctx;
  const { limit, afterId, beforeId } = readThreadPagination(ctx.url);
  const key = await findSession(db, viewer, ctx.params[0]);
  if (!key) throw new HttpError(404, { message: 'Session not found.' });
  const [session] = await sessionsByKeys(db, viewer, [key]);
  if (!session) throw new HttpError(404, { message: 'Session not found.' });
  let threads;
  try {
    // before_id: the threads immediately before the cursor (Coder returned the oldest ones).
    threads = await listThreads(db, viewer, key, { limit, after: afterId, before: beforeId, fromEnd: beforeId !== undefined });
  } catch (err) {
    if (err instanceof InvalidCursorError) throw new HttpError(400, { message: 'Invalid pagination cursor.' });
    throw err;
  }
  const [actions, users] = await Promise.all([
    agenticActionsFor(db, viewer, threads.rows.map((t) => t.id)),
    userMapFor(db, [key.initiatorId]),
  ]);
  const client = session.client ? session.client : undefined;
  return rawJson(
    encodeCoderJson({
      id: session.sessionId,
      initiator: minimalUser(session.initiatorId, users.get(session.initiatorId) ?? null),
      providers: session.providers,
      models: session.models,
      client,
      metadata: metadataMap(session.metadata),
      page_started_at: optionalTime(earliestTimestamp(threads.rows.map((t) => t.startedAt))),
      page_ended_at: optionalTime(latestTimestamp(threads.rows.map((t) => t.endedAt))),
      started_at: rfc3339(session.startedAt),
      ended_at: rfc3339OrNull(session.endedAt) ?? undefined,
      token_usage_summary: tokenUsageWithMetadata(session.tokenUsage),
      threads: threads.rows.map((t, n) => thread(t, actions[n])),
    }),
  );
}

function optionalTime(pg: string | null): string | undefined {
  return pg === null ? undefined : rfc3339(pg);
}

/** codersdk.AIBridgeThread. */
function thread(t: ThreadRow, actions: AgenticAction[]) {
  return {
    id: t.id,
    prompt: t.prompt ?? undefined,
    model: t.model,
    provider: t.provider,
    credential_kind: t.credentialKind,
    credential_hint: displayCredentialHint(t.credentialHint),
    started_at: rfc3339(t.startedAt),
    ended_at: rfc3339OrNull(t.endedAt) ?? undefined,
    token_usage: tokenUsageWithMetadata(t.tokenUsage),
    agentic_actions: actions.map((a) => ({
      model: a.model,
      token_usage: tokenUsageWithMetadata(a.tokenUsage),
      thinking: a.thinking.map((th) => ({ text: th.content })),
      tool_calls: a.toolCalls.map(toolCall),
    })),
  };
}

/** `limit` (THREAD_PAGE: default 50, 1..200), `after_id` / `before_id` (interception UUIDs, not both). */
function readThreadPagination(url: URL): { limit: number; afterId?: string; beforeId?: string } {
  const r = new QueryReader(url);
  const limitText = r.string('limit');
  const afterText = r.string('after_id');
  const beforeText = r.string('before_id');
  r.check();
  let limit = THREAD_PAGE.default;
  if (limitText !== undefined) {
    limit = /^\d+$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit >= 1 && limit <= THREAD_PAGE.max)) throw new HttpError(400, { message: 'Invalid limit query parameter.' });
  }
  if (afterText !== undefined && beforeText !== undefined) {
    throw new HttpError(400, { message: 'Query parameters have invalid values.', detail: 'Cannot use both after_id and before_id in the same request.' });
  }
  // A cursor that is no UUID names no interception of the session: the same 400 as an unknown one.
  return { limit, afterId: afterText, beforeId: beforeText };
}
