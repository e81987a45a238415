/**
 * Page sizes, the one source for REST's `limit` parameters, GraphQL's `first`/`last` and the
 * complexity each connection is charged (its page size per node; src/graphql/pagination.ts).
 * test/graphql/page-limits.test.ts checks every GraphQL connection against what it returns.
 */

export interface PageSize {
  /** Rows returned when no size is given. */
  readonly default: number;
  /** The largest size accepted. */
  readonly max: number;
}

/** REST list endpoints (/interceptions, /sessions, /models, /clients): Coder's `limit` rules. */
export const REST_LIST_PAGE: PageSize = { default: 100, max: 1000 };

/** Threads of REST's session detail and of GraphQL's Session.threads. */
export const THREAD_PAGE: PageSize = { default: 50, max: 200 };

/** GraphQL interception connections (Query, User and Session `interceptions`). */
export const INTERCEPTION_PAGE: PageSize = { default: 100, max: 1000 };

/** GraphQL session connections (Query and User `sessions`). */
export const SESSION_PAGE: PageSize = { default: 50, max: 1000 };

/** GraphQL `models` and `clients`: every distinct value up to the maximum. */
export const CATALOG_PAGE: PageSize = { default: 1000, max: 1000 };

/** GraphQL `Session.networkCallLogs` (keyset pages, not capped at Coder's 1000 in all). */
export const NETWORK_CALL_PAGE: PageSize = { default: 100, max: 1000 };

/** GraphQL `Session.topDomains(first)`. */
export const TOP_DOMAINS: PageSize = { default: 10, max: 100 };
/** Admin price overrides (Query.modelPrices): a handful per model, a page holds a deployment's. */
export const MODEL_PRICE_PAGE: PageSize = { default: 100, max: 1000 };
