import { inSnapshot } from '../db/db.ts';
import { tokenUsagesFor, toolUsagesFor, userPromptsFor } from '../domain/children.ts';
import { userMapFor } from '../domain/users.ts';
import { countInterceptions, interceptionsByIds, listInterceptions, type InterceptionCursor } from '../domain/interceptions.ts';
import type { SearchSpec } from '../domain/search.ts';
import { interception } from './coder-shapes.ts';
import { encodeCoderJson, JsonInt } from './encode.ts';
import { readListPagination, readSearch } from './query.ts';
import { HttpError, rawJson } from './respond.ts';
import type { RestContext } from './router.ts';

/** `q` of /interceptions (the interceptions export reads it the same way). */
export const INTERCEPTION_SEARCH: SearchSpec = { keys: ['initiator', 'provider', 'model', 'client', 'started_after', 'started_before'], bareWordKey: 'initiator' };
/** Coder's text, kept for compatibility. */
export const INTERCEPTION_SEARCH_ERROR = 'Invalid workspace search query.';

/**
 * GET /api/v2/aibridge/interceptions (and the legacy /api/experimental/aibridge/interceptions):
 * completed visible interceptions, newest first, with their children; `count` ignores paging.
 * Statements: count, page, three child kinds and users (plus one for a cursor or a username).
 */
export async function getInterceptions(ctx: RestContext): Promise<Response> {
  const { db, viewer } = ctx;
  const page = readListPagination(ctx.url, 'after_id');
  const filter = await readSearch(ctx, page.q, INTERCEPTION_SEARCH, INTERCEPTION_SEARCH_ERROR);
  // The cursor's position, the page and the count read one snapshot: they agree while rows are written.
  const [list, count] = await inSnapshot(db, async (q) => {
    let after: InterceptionCursor | undefined;
    if (page.cursor !== undefined) {
      const [row] = await interceptionsByIds(q, viewer, [page.cursor], false);
      if (!row) throw new HttpError(400, { message: 'Invalid pagination cursor.' });
      after = { startedAt: row.startedAt, id: row.id };
    }
    // Both at once: a count joined from another request (shared-reads.ts) leaves this connection
    // to the page; a count sent here queues behind the page on the same connection.
    return Promise.all([listInterceptions(q, viewer, filter, { limit: page.limit, offset: page.offset, after }), countInterceptions(q, viewer, filter)]);
  });
  const ids = list.rows.map((r) => r.id);
  const [tokens, prompts, tools, users] = await Promise.all([
    tokenUsagesFor(db, ids),
    userPromptsFor(db, ids),
    toolUsagesFor(db, ids),
    userMapFor(db, list.rows.map((r) => r.initiatorId)),
  ]);
  const results = list.rows.map((r, n) =>
    interception(r, users.get(r.initiatorId) ?? null, { tokenUsages: tokens[n], userPrompts: prompts[n], toolUsages: tools[n] }),
  );
  return rawJson(encodeCoderJson({ count: new JsonInt(String(count)), results }));
}
