/**
 * Keyset pages, shared by every list (interceptions, sessions, threads) and both surfaces.
 * Page sizes and their limits live in src/limits.ts.
 */

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

/**
 * The page from rows read with LIMIT limit+1 (the extra row only tells that more exist), put
 * back in list order when they were read from the end (`fromEnd`).
 */
export function keysetResult<T>(rows: T[], page: Pick<KeysetPage<unknown>, 'limit' | 'fromEnd'>): PageResult<T> {
  const kept = rows.slice(0, page.limit);
  if (page.fromEnd) kept.reverse();
  return { rows: kept, hasMore: rows.length > page.limit };
}
