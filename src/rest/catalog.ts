import { listClients, listModels, type CatalogQuery } from '../domain/catalog.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { encodeCoderJson } from './encode.ts';
import { readListPagination, readSearch } from './query.ts';
import { rawJson } from './respond.ts';
import type { RestContext } from './router.ts';

/**
 * GET /api/v2/aibridge/models and /clients: distinct values as a JSON array (`[]` when empty,
 * where Coder writes `null`), filtered by a case-sensitive prefix given as `q` (`model:gpt` or
 * a bare word), paged by limit/offset.
 */
function catalogEndpoint(
  key: 'model' | 'client',
  message: string,
  list: (db: Queryable, viewer: Viewer, q: CatalogQuery) => Promise<string[]>,
) {
  return async (ctx: RestContext): Promise<Response> => {
    const page = readListPagination(ctx.url, null);
    const filter = await readSearch(ctx, page.q, { keys: [key], bareWordKey: key }, message);
    const values = await list(ctx.db, ctx.viewer, { prefix: filter[key], limit: page.limit, offset: page.offset });
    return rawJson(encodeCoderJson(values));
  };
}

export const getModels = catalogEndpoint('model', 'Invalid AI Bridge models search query.', listModels);
export const getClients = catalogEndpoint('client', 'Invalid AI Bridge clients search query.', listClients);
