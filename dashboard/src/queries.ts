import { graphql } from './generated/gql';

// The dashboard's GraphQL documents, typed by codegen (codegen.ts → ./generated). Each selects
// just what a panel shows; every filter variable is the API's InterceptionFilter, unchanged.

export const ViewerQuery = graphql(`
  query DashboardViewer {
    viewer {
      username
      name
    }
  }
`);

export const FilterOptionsQuery = graphql(`
  query DashboardFilterOptions {
    models(first: 1000)
    clients(first: 1000)
    providers: usage(groupBy: [PROVIDER]) {
      groups {
        provider
      }
    }
    initiators: usage(groupBy: [INITIATOR], orderBy: { field: REQUESTS }) {
      groups {
        initiator {
          username
        }
      }
    }
  }
`);

export const OverviewQuery = graphql(`
  query DashboardOverview($filter: InterceptionFilter!, $bucket: TimeBucket!, $timeZone: String!, $stack: [UsageDimension!]!) {
    summary: usage(filter: $filter) {
      totals {
        requests
        sessions
        users
        inputTokens
        outputTokens
        cacheReadTokens
        cacheWriteTokens
        cacheHitRatio
        toolCalls
        toolErrors
        injectedToolCalls
        cost {
          total
          cacheSavings
          unpricedRequests
          unpricedTokens
        }
      }
    }
    overTime: usage(filter: $filter, bucket: $bucket, timeZone: $timeZone, groupBy: $stack) {
      groups {
        bucketStart
        bucketEnd
        model
        provider
        figures {
          inputTokens
          outputTokens
          cacheReadTokens
          cacheWriteTokens
          cost {
            total
          }
        }
      }
    }
  }
`);

graphql(`
  fragment DashboardTopFigures on UsageFigures {
    requests
    inputTokens
    outputTokens
    cacheReadTokens
    cacheWriteTokens
    cost {
      total
      cacheSavings
      unpricedRequests
      unpricedTokens
    }
  }
`);

export const TopQuery = graphql(`
  query DashboardTop($filter: InterceptionFilter!) {
    users: usage(filter: $filter, groupBy: [INITIATOR], orderBy: { field: COST }, first: 10) {
      groups {
        initiator {
          username
          name
        }
        figures {
          ...DashboardTopFigures
        }
      }
    }
    models: usage(filter: $filter, groupBy: [MODEL], orderBy: { field: COST }, first: 10) {
      groups {
        model
        figures {
          ...DashboardTopFigures
        }
      }
    }
    clients: usage(filter: $filter, groupBy: [CLIENT], orderBy: { field: COST }, first: 10) {
      groups {
        client
        figures {
          ...DashboardTopFigures
        }
      }
    }
  }
`);

export const DurationsQuery = graphql(`
  query DashboardDurations($filter: InterceptionFilter!) {
    usage(filter: $filter, groupBy: [MODEL], orderBy: { field: REQUESTS }, first: 12) {
      groups {
        model
        figures {
          requests
          durationMs {
            p50
            p95
          }
        }
      }
    }
  }
`);

graphql(`
  fragment DashboardToolFigures on ToolUsageFigures {
    calls
    invocationErrors
    errorRate
    injectedCalls
    requests
    cost {
      total
      unpricedRequests
    }
  }
`);

// Failures first: by invocation errors, then (the API's tie-break) by key. The servers and tools
// with the most failed calls are the ones to look at; the error rate says how often they fail.
export const ToolsQuery = graphql(`
  query DashboardTools($filter: InterceptionFilter!) {
    all: toolUsage(filter: $filter) {
      totals {
        ...DashboardToolFigures
      }
    }
    servers: toolUsage(filter: $filter, groupBy: [SERVER], orderBy: { field: INVOCATION_ERRORS }, first: 10) {
      groups {
        serverUrl
        figures {
          ...DashboardToolFigures
        }
      }
    }
    tools: toolUsage(filter: $filter, groupBy: [SERVER, TOOL], orderBy: { field: INVOCATION_ERRORS }, first: 15) {
      groups {
        serverUrl
        tool
        figures {
          ...DashboardToolFigures
        }
      }
    }
  }
`);

export const SessionsQuery = graphql(`
  query DashboardSessions($filter: InterceptionFilter!, $first: Int, $after: String, $last: Int, $before: String) {
    sessions(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges {
        cursor
        node {
          id
          sessionId
          initiator {
            username
          }
          client
          models
          lastActiveAt
          lastPrompt
          threadCount
          tokenUsageSummary {
            inputTokens
            outputTokens
            cacheReadInputTokens
            cacheWriteInputTokens
          }
          cost {
            total
            unpricedRequests
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`);

export const SessionQuery = graphql(`
  query DashboardSession($id: String!, $after: String) {
    session(id: $id) {
      sessionId
      initiator {
        username
      }
      client
      startedAt
      lastActiveAt
      threadCount
      cost {
        total
      }
      threads(first: 10, after: $after) {
        edges {
          node {
            id
            prompt
            model
            provider
            startedAt
            endedAt
            error {
              type
              message
            }
            tokenUsage {
              inputTokens
              outputTokens
            }
            cost {
              total
            }
            agenticActions {
              model
              thinking {
                text
              }
              toolCalls {
                id
                tool
                serverUrl
                injected
                input
                invocationError
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const TodayQuery = graphql(`
  query DashboardToday($filter: InterceptionFilter!) {
    usage(filter: $filter) {
      totals {
        requests
        inputTokens
        outputTokens
        cacheReadTokens
        cacheWriteTokens
        cost {
          total
        }
      }
    }
  }
`);

export const LiveSubscription = graphql(`
  subscription DashboardLive($filter: InterceptionFilter) {
    interceptionsEnded(filter: $filter) {
      uuid
      sessionId
      initiator {
        username
      }
      provider
      model
      client
      endedAt
      durationMs
      toolUsages {
        invocationError
      }
      tokenUsageSummary {
        inputTokens
        outputTokens
      }
      cost {
        total
      }
    }
  }
`);
