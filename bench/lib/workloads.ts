import type { HttpWorkload } from './load.ts';

/** W4: a page of 100 interceptions with their children and initiator, no totalCount. */
export const W4_QUERY = `query W4 {
  interceptions(first: 100) {
    edges {
      cursor
      node {
        uuid provider providerName model client metadata startedAt endedAt apiKeyId
        initiator { uuid username name avatarUrl }
        tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }
        toolUsages { id tool serverUrl input injected invocationError metadata createdAt }
        userPrompts { id prompt createdAt }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * P4: the same read on PostGraphile 5 (amber preset, relations from smart tags). Differences it
 * cannot avoid: it has no "completed only" filter (3 of 1M rows are in flight) and orders
 * children by primary key, as created_at is not indexed there.
 */
export const P4_QUERY = `query P4 {
  allAibridgeInterceptions(first: 100, orderBy: [STARTED_AT_DESC, PRIMARY_KEY_DESC]) {
    edges {
      cursor
      node {
        rowId provider providerName model client metadata startedAt endedAt apiKeyId
        userByInitiatorId { rowId username name avatarUrl }
        aibridgeTokenUsagesByInterceptionId { nodes { rowId inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt } }
        aibridgeToolUsagesByInterceptionId { nodes { rowId tool serverUrl input injected invocationError metadata createdAt } }
        aibridgeUserPromptsByInterceptionId { nodes { rowId prompt createdAt } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** W5: 50 sessions, 20 threads each, their agentic actions with tool calls and thinking. */
export const W5_QUERY = `query W5 {
  sessions(first: 50) {
    edges {
      cursor
      node {
        sessionId lastActiveAt
        threads(first: 20) {
          edges {
            node {
              id model startedAt endedAt
              agenticActions {
                model
                toolCalls { id tool input injected serverUrl createdAt }
                thinking { text }
              }
            }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

export interface Workload {
  key: string;
  title: string;
  target: 'gateway' | 'peer';
  make(base: string, token: string, ctx: { sessionId: string }): HttpWorkload;
}

const rest = (path: string) => (base: string, token: string): HttpWorkload => ({
  method: 'GET',
  url: `${base}${path}`,
  headers: { 'Coder-Session-Token': token },
});

const gql = (query: string) => (base: string, token: string): HttpWorkload => ({
  method: 'POST',
  url: `${base}/graphql`,
  headers: { 'Coder-Session-Token': token, 'content-type': 'application/json', accept: 'application/json' },
  body: JSON.stringify({ query }),
});

export const WORKLOADS: Workload[] = [
  { key: 'W1', title: 'REST /interceptions?limit=100', target: 'gateway', make: rest('/api/v2/aibridge/interceptions?limit=100') },
  { key: 'W2', title: 'REST /sessions?limit=50', target: 'gateway', make: rest('/api/v2/aibridge/sessions?limit=50') },
  {
    key: 'W3',
    title: 'REST /sessions/{id} (60+ threads)',
    target: 'gateway',
    make: (base, token, ctx) => rest(`/api/v2/aibridge/sessions/${encodeURIComponent(ctx.sessionId)}`)(base, token),
  },
  { key: 'W4', title: 'GraphQL interceptions(first:100) + children', target: 'gateway', make: gql(W4_QUERY) },
  { key: 'W5', title: 'GraphQL sessions(50) → threads(20) → actions', target: 'gateway', make: gql(W5_QUERY) },
  { key: 'P4', title: 'PostGraphile 5, W4-equivalent', target: 'peer', make: gql(P4_QUERY) },
];
