import { isUuidValue } from '../domain/ids.ts';
import { isTimestampText } from '../domain/values.ts';
import type { PageSize } from '../limits.ts';
import { badInput } from './errors.ts';

/** Relay's connection arguments as Pothos hands them over. */
export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}


/** A keyset page in list order: rows after/before a position, the first or last `limit` of the range. */
export interface KeysetArgs<C> {
  limit: number;
  after?: C;
  before?: C;
  /** `last`: the rows nearest to `before` (or the end of the list). */
  fromEnd: boolean;
}

/** Cursors are opaque to clients: base64url JSON of a position, never an offset. */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor<C>(cursor: string, argument: string, valid: (v: unknown) => v is C): C {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!valid(value)) throw badInput(`Invalid pagination cursor in "${argument}".`, argument);
  return value;
}

function checkSize(value: number | null | undefined, argument: string, size: PageSize): number | undefined {
  if (value == null) return undefined;
  if (value < 0 || value > size.max) throw badInput(`"${argument}" must be between 0 and ${size.max}.`, argument);
  return value;
}

/** Validates Relay arguments (BAD_USER_INPUT on misuse) and turns them into a keyset page. */
export function keysetArgs<C>(args: ConnectionArgs, size: PageSize, valid: (v: unknown) => v is C): KeysetArgs<C> {
  const first = checkSize(args.first, 'first', size);
  const last = checkSize(args.last, 'last', size);
  if (first !== undefined && last !== undefined) throw badInput('Pass either "first" or "last", not both.', 'last');
  return {
    limit: first ?? last ?? size.default,
    after: args.after ? decodeCursor(args.after, 'after', valid) : undefined,
    before: args.before ? decodeCursor(args.before, 'before', valid) : undefined,
    fromEnd: last !== undefined || (first === undefined && Boolean(args.before) && !args.after),
  };
}

/** The cost the complexity plugin charges per node of a connection: the page it may return. */
export function pageComplexity(size: PageSize) {
  return (args: ConnectionArgs) => ({
    field: 1,
    multiplier: Math.min(Math.max(args.first ?? args.last ?? size.default, 0), size.max),
  });
}

/**
 * A Relay connection over one keyset page. `hasMore` says whether rows exist beyond the page in
 * the direction read; the other direction is known from the cursor that was passed (a cursor
 * means rows exist on its side), so no second query is needed.
 */
export function connection<T, C>(
  page: KeysetArgs<C>,
  result: { rows: T[]; hasMore: boolean },
  cursorOf: (row: T) => C,
  totalCount: () => Promise<number>,
) {
  const edges = result.rows.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.fromEnd ? page.before !== undefined : result.hasMore,
      hasPreviousPage: page.fromEnd ? result.hasMore : page.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/** Counts once per connection object, however often totalCount is selected (aliases). */
export function once(fn: () => Promise<number>): () => Promise<number> {
  let p: Promise<number> | undefined;
  return () => (p ??= fn());
}


/** A (timestamp, uuid) position, the shape of interception and thread orders. */
export interface TimeIdCursor {
  startedAt: string;
  id: string;
}

export function isTimeIdCursor(v: unknown): v is TimeIdCursor {
  const c = v as TimeIdCursor;
  return typeof v === 'object' && v !== null && isTimestampText(c.startedAt) && isUuidValue(c.id);
}
