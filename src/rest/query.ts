import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { isUuid } from '../domain/ids.ts';
import type { InterceptionFilter } from '../domain/interception-filter.ts';
import { parseInterceptionSearch, type SearchSpec } from '../domain/search.ts';
import { parseNonNegativeInt32, type Validation } from '../domain/validation.ts';
import { REST_LIST_PAGE } from '../limits.ts';
import { HttpError } from './respond.ts';

/**
 * Query-parameter reading with Coder's QueryParamParser rules: an empty value is absent, a
 * parameter given twice is a validation error, and every problem is collected so that all
 * invalid parameters are reported together.
 */
export class QueryReader {
  readonly errors: Validation[] = [];
  constructor(private readonly url: URL) {}

  string(name: string): string | undefined {
    const all = this.url.searchParams.getAll(name);
    if (all.length === 0 || all[0] === '') return undefined;
    if (all.length > 1) {
      this.errors.push({ field: name, detail: `Query param "${name}" provided more than once, found ${all.length} times. Only provide 1 instance of this query param.` });
      return undefined;
    }
    return all[0];
  }

  uuid(name: string): string | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!isUuid(v)) {
      this.errors.push({ field: name, detail: `Query param "${name}" must be a valid uuid` });
      return undefined;
    }
    return v.toLowerCase();
  }

  /** Coder's PositiveInt32: base 10, 0 ≤ n < 2^31; absent → 0. */
  int32(name: string): number {
    const v = this.string(name);
    if (v === undefined) return 0;
    const r = parseNonNegativeInt32(v);
    if ('error' in r) {
      this.errors.push({ field: name, detail: `Query param "${name}" must be a valid 32-bit positive integer: ${r.error}` });
      return 0;
    }
    return r.value;
  }

  /** Throws Coder's 400 when anything read so far was invalid. */
  check(): void {
    if (this.errors.length > 0) throw new HttpError(400, { message: 'Query parameters have invalid values.', validations: this.errors });
  }
}


export interface ListPagination {
  limit: number;
  offset: number;
  /** The cursor parameter's value, when given. */
  cursor?: string;
  q: string;
}

/**
 * The list endpoints' paging parameters, as Coder reads them: its shared pagination parser takes
 * `after_id` (a UUID), `limit` and `offset` on every list endpoint, so a malformed `after_id` is
 * a validation error even where the endpoint pages by another cursor (or none); the endpoint then
 * reads its own cursor parameter (`after_session_id`, as text) and `q`. Checks, in Coder's order:
 * parameter syntax (all together), the cursor with a non-zero offset, then the limit range
 * (0/absent → the default).
 */
export function readListPagination(url: URL, cursor: 'after_id' | 'after_session_id' | null): ListPagination {
  const r = new QueryReader(url);
  const afterId = r.uuid('after_id');
  let limit = r.int32('limit');
  const offset = r.int32('offset');
  const cursorValue = cursor === 'after_id' ? afterId : cursor === null ? undefined : r.string(cursor);
  const q = r.string('q') ?? '';
  r.check();
  if (cursor && cursorValue !== undefined && offset !== 0) {
    throw new HttpError(400, {
      message: 'Query parameters have invalid values.',
      detail: `Cannot use both ${cursor} and offset pagination in the same request.`,
    });
  }
  if (limit === 0) limit = REST_LIST_PAGE.default;
  if (limit > REST_LIST_PAGE.max) {
    throw new HttpError(400, { message: 'Invalid pagination limit value.', detail: `Pagination limit must be in range (0, ${REST_LIST_PAGE.max}]` });
  }
  return { limit, offset, cursor: cursorValue, q };
}

/**
 * `q` → an interception filter, or Coder's 400 with every invalid term (`message` differs per
 * endpoint, e.g. `Invalid workspace search query.` for /interceptions).
 */
export async function readSearch(ctx: { db: Queryable; viewer: Viewer }, q: string, spec: SearchSpec, message: string): Promise<InterceptionFilter> {
  const r = await parseInterceptionSearch(ctx.db, ctx.viewer, q, spec);
  if ('errors' in r) throw new HttpError(400, { message, validations: r.errors });
  return r.filter;
}
