import { InvalidCursorError } from '../domain/errors.ts';
import type { InterceptionOutcome } from '../domain/interception-outcome.ts';
import { CODER_NETWORK_LOG_CAP, networkCallsOfSession, type NetworkCallLog } from '../domain/network-calls.ts';
import { sessionHead } from '../domain/session-detail.ts';
import { agenticActionsFor, type AgenticAction } from '../domain/thread-members.ts';
import { displayCredentialHint, listThreads, type ThreadRow } from '../domain/threads.ts';
import { latestTimestamp, earliestTimestamp, rfc3339, rfc3339OrNull } from '../domain/values.ts';
import { metadataMap, minimalUser, toolCall, tokenUsageWithMetadata } from './coder-shapes.ts';
import { encodeCoderJson, JsonInt } from './encode.ts';
import { QueryReader } from './query.ts';
import { HttpError, rawJson } from './respond.ts';
import type { RestContext } from './router.ts';
import { networkCallsJson } from './sessions.ts';
import { THREAD_PAGE } from '../limits.ts';


/**
 * GET /api/v2/aibridge/sessions/{session_id}: one session (by session id or the UUID of any of
 * its interceptions) with a page of its threads, oldest first. The summary covers every thread
 * of the session, not just the page (a fix over Coder's 50-oldest cap).
 *
 * Statements (issue 13: 12 before, at most 6 now): the session head with its initiator; the thread
 * page with its totals and outcomes, beside the firewall's counts, logs and top domain; then the
 * page's agentic actions. A cursor adds one statement for its position.
 */
export async function getSessionDetail(ctx: RestContext): Promise<Response> {
  const { db, viewer } = ctx;
  const { limit, afterId, beforeId } = readThreadPagination(ctx.url);
  const head = await sessionHead(db, viewer, ctx.params[0]);
  if (!head) throw new HttpError(404, { message: 'Session not found.' });
  const { session, initiator } = head;
  const key = { sessionId: session.sessionId, initiatorId: session.initiatorId };
  const caps = await ctx.schema.current();
  const [threads, firewall] = await Promise.all([
    // before_id: the threads immediately before the cursor (Coder returned the oldest ones).
    listThreads(db, viewer, key, { limit, after: afterId, before: beforeId, fromEnd: beforeId !== undefined }, {}, caps).catch((err: unknown) => {
      if (err instanceof InvalidCursorError) throw new HttpError(400, { message: 'Invalid pagination cursor.' });
      throw err;
    }),
    // Coder shows the top domain only, and the logs and domains only where the firewall saw the session.
    networkCallsOfSession(db, caps, viewer, key, { logLimit: CODER_NETWORK_LOG_CAP, topDomains: 1 }),
  ]);
  const actions = await agenticActionsFor(db, viewer, threads.rows.map((t) => t.id));
  const client = session.client ? session.client : undefined;
  return rawJson(
    encodeCoderJson({
      id: session.sessionId,
      initiator: minimalUser(session.initiatorId, initiator),
      providers: session.providers,
      models: session.models,
      client,
      metadata: metadataMap(session.metadata),
      page_started_at: optionalTime(earliestTimestamp(threads.rows.map((t) => t.startedAt))),
      page_ended_at: optionalTime(latestTimestamp(threads.rows.map((t) => t.endedAt))),
      started_at: rfc3339(session.startedAt),
      ended_at: rfc3339OrNull(session.endedAt) ?? undefined,
      token_usage_summary: tokenUsageWithMetadata(session.tokenUsage),
      threads: threads.rows.map((t, n) => thread(t, actions[n], t.outcome ?? NO_OUTCOME)),
      network_calls: networkCallsJson(firewall?.calls ?? null),
      network_call_logs: firewall?.logs.map(networkCallLog),
      network_top_domains: firewall?.domains.map((d) => ({ domain: d.domain, count: new JsonInt(String(d.count)) })),
      network_domain_count: firewall ? new JsonInt(String(firewall.domainCount)) : undefined,
    }),
  );
}

const NO_OUTCOME: InterceptionOutcome = { error: null, firewall: null };

function optionalTime(pg: string | null): string | undefined {
  return pg === null ? undefined : rfc3339(pg);
}

/** A boundary_logs row as Coder's session detail lists it. */
function networkCallLog(l: NetworkCallLog) {
  return {
    id: l.id,
    session_id: l.sessionId,
    sequence_number: new JsonInt(String(l.sequenceNumber)),
    allowed: l.allowed,
    created_at: rfc3339(l.createdAt),
    proto: l.proto,
    method: l.method,
    detail: l.detail,
    matched_rule: l.matchedRule,
    captured_at: rfc3339(l.capturedAt),
  };
}

/**
 * codersdk.AIBridgeThread. The root's upstream error and firewall position are omitted when
 * not recorded (a message never without its type).
 */
function thread(t: ThreadRow, actions: AgenticAction[], outcome: InterceptionOutcome) {
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
    error_type: outcome.error?.type,
    error_message: outcome.error?.message ?? undefined,
    agent_firewall_session_id: outcome.firewall?.sessionId,
    agent_firewall_sequence_number: outcome.firewall?.sequenceNumber == null ? undefined : new JsonInt(String(outcome.firewall.sequenceNumber)),
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
