import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { isUuid } from '../domain/ids.ts';
import type { InterceptionFilter } from '../domain/interception-filter.ts';
import { parseInterceptionSearch, type SearchSpec } from '../domain/search.ts';
import { parseNonNegativeInt32, type Validation } from '../domain/validation.ts';
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

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export interface ListPagination {
  limit: number;
  offset: number;
  /** The cursor parameter's value, when given. */
  cursor?: string;
  q: string;
}

/**
 * The list endpoints' paging parameters: `limit`, `offset`, a cursor parameter (`after_id` as a
 * UUID, `after_session_id` as text, or none) and `q`. Checks, in Coder's order: parameter
 * syntax (all together), cursor with a non-zero offset, then the limit range (0/absent → 100).
 */
export function readListPagination(url: URL, cursor: { name: string; kind: 'uuid' | 'text' } | null): ListPagination {
  const r = new QueryReader(url);
  const cursorValue = cursor === null ? undefined : cursor.kind === 'uuid' ? r.uuid(cursor.name) : r.string(cursor.name);
  let limit = r.int32('limit');
  const offset = r.int32('offset');
  const q = r.string('q') ?? '';
  r.check();
  if (cursor && cursorValue !== undefined && offset !== 0) {
    throw new HttpError(400, {
      message: 'Query parameters have invalid values.',
      detail: `Cannot use both ${cursor.name} and offset pagination in the same request.`,
    });
  }
  if (limit === 0) limit = DEFAULT_LIMIT;
  if (limit > MAX_LIMIT) {
    throw new HttpError(400, { message: 'Invalid pagination limit value.', detail: `Pagination limit must be in range (0, ${MAX_LIMIT}]` });
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
