/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query NestedSessions($first: Int!) {\n    sessions(first: $first) {\n      edges { node { threads { edges { node { agenticActions { toolCalls { tool } thinking { text } } } } } } }\n    }\n  }\n": typeof types.NestedSessionsDocument,
    "\n  query InterceptionsWithChildren($first: Int!) {\n    interceptions(first: $first) {\n      edges {\n        node {\n          uuid\n          tokenUsages { inputTokens }\n          toolUsages { tool }\n          userPrompts { prompt }\n          initiator { username }\n        }\n      }\n    }\n  }\n": typeof types.InterceptionsWithChildrenDocument,
    "\n  query ErrorsPage($first: Int, $last: Int, $after: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, last: $last, after: $after, filter: $filter) { edges { node { uuid } } }\n  }\n": typeof types.ErrorsPageDocument,
    "\n  query ErrorsThreads($first: Int) {\n    sessions(first: 1) { edges { node { threads(first: $first) { edges { node { uuid } } } } } }\n  }\n": typeof types.ErrorsThreadsDocument,
    "\n  query ErrorsCostly {\n    sessions(first: 1000) { edges { node { threads(first: 200) { edges { node { interceptions { uuid } } } } } } }\n  }\n": typeof types.ErrorsCostlyDocument,
    "\n  query ErrorsTools {\n    interceptions(first: 1) { edges { node { toolUsages { tool } } } }\n  }\n": typeof types.ErrorsToolsDocument,
    "\n  query InterceptionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      edges { cursor node { uuid } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.InterceptionsPageDocument,
    "\n  query InterceptionsCount($filter: InterceptionFilter) {\n    interceptions(first: 1, filter: $filter) { totalCount edges { node { uuid } } }\n  }\n": typeof types.InterceptionsCountDocument,
    "\n  query InterceptionDetail($id: UUID!) {\n    interception(id: $id) {\n      id uuid provider providerName model client metadata startedAt endedAt durationMs apiKeyId credentialKind credentialHint sessionId\n      initiator { uuid username }\n      tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      toolUsages { tool input injected serverUrl invocationError }\n      userPrompts { prompt createdAt }\n      modelThoughts { content }\n      threadRoot { uuid }\n      threadParent { uuid }\n      session { sessionId threadCount }\n    }\n  }\n": typeof types.InterceptionDetailDocument,
    "\n  query Ids($sessionId: String!) {\n    viewer { id uuid }\n    session(id: $sessionId) {\n      id sessionId\n      initiator { id }\n      threads(first: 1) { edges { node { id uuid root { id uuid } } } }\n    }\n  }\n": typeof types.IdsDocument,
    "\n  query NodeLookup($id: ID!) {\n    node(id: $id) {\n      __typename id\n      ... on User { uuid }\n      ... on Interception { uuid }\n      ... on Session { sessionId }\n      ... on Thread { uuid }\n    }\n  }\n": typeof types.NodeLookupDocument,
    "\n  query NodesLookup($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n": typeof types.NodesLookupDocument,
    "\n  query ParitySessions {\n    sessions(first: 100) {\n      totalCount\n      edges {\n        node {\n          sessionId providers models client metadata startedAt endedAt lastActiveAt lastPrompt threadCount\n          tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n        }\n      }\n    }\n    interceptions(first: 1000) { totalCount edges { node { uuid tokenUsages { inputTokens outputTokens } } } }\n  }\n": typeof types.ParitySessionsDocument,
    "\n  query ParityDetail($id: String!) {\n    session(id: $id) {\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      threads(first: 50) {\n        pageStartedAt pageEndedAt\n        edges {\n          node {\n            uuid prompt model provider credentialKind credentialHint startedAt endedAt\n            tokenUsage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n            agenticActions { model tokenUsage { inputTokens outputTokens } thinking { text } toolCalls { uuid: id tool } }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ParityDetailDocument,
    "\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.SessionsPageDocument,
    "\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n": typeof types.SessionDetailDocument,
    "\n  query ViewerLists {\n    viewer {\n      sessions(first: 2) { totalCount edges { node { sessionId } } }\n      interceptions(first: 1) { totalCount }\n    }\n    models\n    gptModels: models(prefix: \"gpt\")\n    clients\n  }\n": typeof types.ViewerListsDocument,
};
const documents: Documents = {
    "\n  query NestedSessions($first: Int!) {\n    sessions(first: $first) {\n      edges { node { threads { edges { node { agenticActions { toolCalls { tool } thinking { text } } } } } } }\n    }\n  }\n": types.NestedSessionsDocument,
    "\n  query InterceptionsWithChildren($first: Int!) {\n    interceptions(first: $first) {\n      edges {\n        node {\n          uuid\n          tokenUsages { inputTokens }\n          toolUsages { tool }\n          userPrompts { prompt }\n          initiator { username }\n        }\n      }\n    }\n  }\n": types.InterceptionsWithChildrenDocument,
    "\n  query ErrorsPage($first: Int, $last: Int, $after: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, last: $last, after: $after, filter: $filter) { edges { node { uuid } } }\n  }\n": types.ErrorsPageDocument,
    "\n  query ErrorsThreads($first: Int) {\n    sessions(first: 1) { edges { node { threads(first: $first) { edges { node { uuid } } } } } }\n  }\n": types.ErrorsThreadsDocument,
    "\n  query ErrorsCostly {\n    sessions(first: 1000) { edges { node { threads(first: 200) { edges { node { interceptions { uuid } } } } } } }\n  }\n": types.ErrorsCostlyDocument,
    "\n  query ErrorsTools {\n    interceptions(first: 1) { edges { node { toolUsages { tool } } } }\n  }\n": types.ErrorsToolsDocument,
    "\n  query InterceptionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      edges { cursor node { uuid } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.InterceptionsPageDocument,
    "\n  query InterceptionsCount($filter: InterceptionFilter) {\n    interceptions(first: 1, filter: $filter) { totalCount edges { node { uuid } } }\n  }\n": types.InterceptionsCountDocument,
    "\n  query InterceptionDetail($id: UUID!) {\n    interception(id: $id) {\n      id uuid provider providerName model client metadata startedAt endedAt durationMs apiKeyId credentialKind credentialHint sessionId\n      initiator { uuid username }\n      tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      toolUsages { tool input injected serverUrl invocationError }\n      userPrompts { prompt createdAt }\n      modelThoughts { content }\n      threadRoot { uuid }\n      threadParent { uuid }\n      session { sessionId threadCount }\n    }\n  }\n": types.InterceptionDetailDocument,
    "\n  query Ids($sessionId: String!) {\n    viewer { id uuid }\n    session(id: $sessionId) {\n      id sessionId\n      initiator { id }\n      threads(first: 1) { edges { node { id uuid root { id uuid } } } }\n    }\n  }\n": types.IdsDocument,
    "\n  query NodeLookup($id: ID!) {\n    node(id: $id) {\n      __typename id\n      ... on User { uuid }\n      ... on Interception { uuid }\n      ... on Session { sessionId }\n      ... on Thread { uuid }\n    }\n  }\n": types.NodeLookupDocument,
    "\n  query NodesLookup($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n": types.NodesLookupDocument,
    "\n  query ParitySessions {\n    sessions(first: 100) {\n      totalCount\n      edges {\n        node {\n          sessionId providers models client metadata startedAt endedAt lastActiveAt lastPrompt threadCount\n          tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n        }\n      }\n    }\n    interceptions(first: 1000) { totalCount edges { node { uuid tokenUsages { inputTokens outputTokens } } } }\n  }\n": types.ParitySessionsDocument,
    "\n  query ParityDetail($id: String!) {\n    session(id: $id) {\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      threads(first: 50) {\n        pageStartedAt pageEndedAt\n        edges {\n          node {\n            uuid prompt model provider credentialKind credentialHint startedAt endedAt\n            tokenUsage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n            agenticActions { model tokenUsage { inputTokens outputTokens } thinking { text } toolCalls { uuid: id tool } }\n          }\n        }\n      }\n    }\n  }\n": types.ParityDetailDocument,
    "\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.SessionsPageDocument,
    "\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n": types.SessionDetailDocument,
    "\n  query ViewerLists {\n    viewer {\n      sessions(first: 2) { totalCount edges { node { sessionId } } }\n      interceptions(first: 1) { totalCount }\n    }\n    models\n    gptModels: models(prefix: \"gpt\")\n    clients\n  }\n": types.ViewerListsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NestedSessions($first: Int!) {\n    sessions(first: $first) {\n      edges { node { threads { edges { node { agenticActions { toolCalls { tool } thinking { text } } } } } } }\n    }\n  }\n"): (typeof documents)["\n  query NestedSessions($first: Int!) {\n    sessions(first: $first) {\n      edges { node { threads { edges { node { agenticActions { toolCalls { tool } thinking { text } } } } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InterceptionsWithChildren($first: Int!) {\n    interceptions(first: $first) {\n      edges {\n        node {\n          uuid\n          tokenUsages { inputTokens }\n          toolUsages { tool }\n          userPrompts { prompt }\n          initiator { username }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query InterceptionsWithChildren($first: Int!) {\n    interceptions(first: $first) {\n      edges {\n        node {\n          uuid\n          tokenUsages { inputTokens }\n          toolUsages { tool }\n          userPrompts { prompt }\n          initiator { username }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ErrorsPage($first: Int, $last: Int, $after: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, last: $last, after: $after, filter: $filter) { edges { node { uuid } } }\n  }\n"): (typeof documents)["\n  query ErrorsPage($first: Int, $last: Int, $after: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, last: $last, after: $after, filter: $filter) { edges { node { uuid } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ErrorsThreads($first: Int) {\n    sessions(first: 1) { edges { node { threads(first: $first) { edges { node { uuid } } } } } }\n  }\n"): (typeof documents)["\n  query ErrorsThreads($first: Int) {\n    sessions(first: 1) { edges { node { threads(first: $first) { edges { node { uuid } } } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ErrorsCostly {\n    sessions(first: 1000) { edges { node { threads(first: 200) { edges { node { interceptions { uuid } } } } } } }\n  }\n"): (typeof documents)["\n  query ErrorsCostly {\n    sessions(first: 1000) { edges { node { threads(first: 200) { edges { node { interceptions { uuid } } } } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ErrorsTools {\n    interceptions(first: 1) { edges { node { toolUsages { tool } } } }\n  }\n"): (typeof documents)["\n  query ErrorsTools {\n    interceptions(first: 1) { edges { node { toolUsages { tool } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InterceptionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      edges { cursor node { uuid } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query InterceptionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      edges { cursor node { uuid } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InterceptionsCount($filter: InterceptionFilter) {\n    interceptions(first: 1, filter: $filter) { totalCount edges { node { uuid } } }\n  }\n"): (typeof documents)["\n  query InterceptionsCount($filter: InterceptionFilter) {\n    interceptions(first: 1, filter: $filter) { totalCount edges { node { uuid } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query InterceptionDetail($id: UUID!) {\n    interception(id: $id) {\n      id uuid provider providerName model client metadata startedAt endedAt durationMs apiKeyId credentialKind credentialHint sessionId\n      initiator { uuid username }\n      tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      toolUsages { tool input injected serverUrl invocationError }\n      userPrompts { prompt createdAt }\n      modelThoughts { content }\n      threadRoot { uuid }\n      threadParent { uuid }\n      session { sessionId threadCount }\n    }\n  }\n"): (typeof documents)["\n  query InterceptionDetail($id: UUID!) {\n    interception(id: $id) {\n      id uuid provider providerName model client metadata startedAt endedAt durationMs apiKeyId credentialKind credentialHint sessionId\n      initiator { uuid username }\n      tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      toolUsages { tool input injected serverUrl invocationError }\n      userPrompts { prompt createdAt }\n      modelThoughts { content }\n      threadRoot { uuid }\n      threadParent { uuid }\n      session { sessionId threadCount }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Ids($sessionId: String!) {\n    viewer { id uuid }\n    session(id: $sessionId) {\n      id sessionId\n      initiator { id }\n      threads(first: 1) { edges { node { id uuid root { id uuid } } } }\n    }\n  }\n"): (typeof documents)["\n  query Ids($sessionId: String!) {\n    viewer { id uuid }\n    session(id: $sessionId) {\n      id sessionId\n      initiator { id }\n      threads(first: 1) { edges { node { id uuid root { id uuid } } } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeLookup($id: ID!) {\n    node(id: $id) {\n      __typename id\n      ... on User { uuid }\n      ... on Interception { uuid }\n      ... on Session { sessionId }\n      ... on Thread { uuid }\n    }\n  }\n"): (typeof documents)["\n  query NodeLookup($id: ID!) {\n    node(id: $id) {\n      __typename id\n      ... on User { uuid }\n      ... on Interception { uuid }\n      ... on Session { sessionId }\n      ... on Thread { uuid }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodesLookup($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n"): (typeof documents)["\n  query NodesLookup($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ParitySessions {\n    sessions(first: 100) {\n      totalCount\n      edges {\n        node {\n          sessionId providers models client metadata startedAt endedAt lastActiveAt lastPrompt threadCount\n          tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n        }\n      }\n    }\n    interceptions(first: 1000) { totalCount edges { node { uuid tokenUsages { inputTokens outputTokens } } } }\n  }\n"): (typeof documents)["\n  query ParitySessions {\n    sessions(first: 100) {\n      totalCount\n      edges {\n        node {\n          sessionId providers models client metadata startedAt endedAt lastActiveAt lastPrompt threadCount\n          tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n        }\n      }\n    }\n    interceptions(first: 1000) { totalCount edges { node { uuid tokenUsages { inputTokens outputTokens } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ParityDetail($id: String!) {\n    session(id: $id) {\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      threads(first: 50) {\n        pageStartedAt pageEndedAt\n        edges {\n          node {\n            uuid prompt model provider credentialKind credentialHint startedAt endedAt\n            tokenUsage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n            agenticActions { model tokenUsage { inputTokens outputTokens } thinking { text } toolCalls { uuid: id tool } }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ParityDetail($id: String!) {\n    session(id: $id) {\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      threads(first: 50) {\n        pageStartedAt pageEndedAt\n        edges {\n          node {\n            uuid prompt model provider credentialKind credentialHint startedAt endedAt\n            tokenUsage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n            agenticActions { model tokenUsage { inputTokens outputTokens } thinking { text } toolCalls { uuid: id tool } }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n"): (typeof documents)["\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerLists {\n    viewer {\n      sessions(first: 2) { totalCount edges { node { sessionId } } }\n      interceptions(first: 1) { totalCount }\n    }\n    models\n    gptModels: models(prefix: \"gpt\")\n    clients\n  }\n"): (typeof documents)["\n  query ViewerLists {\n    viewer {\n      sessions(first: 2) { totalCount edges { node { sessionId } } }\n      interceptions(first: 1) { totalCount }\n    }\n    models\n    gptModels: models(prefix: \"gpt\")\n    clients\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;