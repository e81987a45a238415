/**
 * What GraphiQL opens with (Yoga's `graphiql.defaultQuery`): the most recent sessions with their
 * threads and what the agents did, the question most visitors come with. Kept valid by
 * test/graphql/default-query.test.ts.
 */
export const GRAPHIQL_DEFAULT_QUERY = `# AI Bridge: recent sessions, their threads and agentic actions.
# Authenticate with a header (Headers tab below): {"Coder-Session-Token": "<your token>"}
# Over a current Coder: networkCalls (Agent Firewall) and each thread's upstream error.
query RecentSessions {
  viewer { username }
  sessions(first: 10) {
    totalCount
    edges {
      node {
        sessionId
        initiator { username }
        client
        models
        lastActiveAt
        lastPrompt
        threadCount
        tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }
        networkCalls { total blocked }
        topDomains(first: 3) { domain count }
        threads(first: 5) {
          edges {
            node {
              prompt
              model
              startedAt
              error { type message }
              tokenUsage { inputTokens outputTokens }
              agenticActions {
                model
                thinking { text }
                toolCalls { tool injected serverUrl input }
              }
            }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;
