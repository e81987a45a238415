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
    "\n  query InterceptionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      edges { cursor node { uuid } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.InterceptionsPageDocument,
    "\n  query InterceptionsCount($filter: InterceptionFilter) {\n    interceptions(first: 1, filter: $filter) { totalCount edges { node { uuid } } }\n  }\n": typeof types.InterceptionsCountDocument,
    "\n  query InterceptionDetail($id: UUID!) {\n    interception(id: $id) {\n      id uuid provider providerName model client metadata startedAt endedAt durationMs apiKeyId credentialKind credentialHint sessionId\n      initiator { uuid username }\n      tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      toolUsages { tool input injected serverUrl invocationError }\n      userPrompts { prompt createdAt }\n      modelThoughts { content }\n      threadRoot { uuid }\n      threadParent { uuid }\n      session { sessionId threadCount }\n    }\n  }\n": typeof types.InterceptionDetailDocument,
    "\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.SessionsPageDocument,
    "\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n": typeof types.SessionDetailDocument,
};
const documents: Documents = {
    "\n  query InterceptionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    interceptions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      edges { cursor node { uuid } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.InterceptionsPageDocument,
    "\n  query InterceptionsCount($filter: InterceptionFilter) {\n    interceptions(first: 1, filter: $filter) { totalCount edges { node { uuid } } }\n  }\n": types.InterceptionsCountDocument,
    "\n  query InterceptionDetail($id: UUID!) {\n    interception(id: $id) {\n      id uuid provider providerName model client metadata startedAt endedAt durationMs apiKeyId credentialKind credentialHint sessionId\n      initiator { uuid username }\n      tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }\n      toolUsages { tool input injected serverUrl invocationError }\n      userPrompts { prompt createdAt }\n      modelThoughts { content }\n      threadRoot { uuid }\n      threadParent { uuid }\n      session { sessionId threadCount }\n    }\n  }\n": types.InterceptionDetailDocument,
    "\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.SessionsPageDocument,
    "\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n": types.SessionDetailDocument,
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
export function graphql(source: "\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query SessionsPage($first: Int, $after: String, $last: Int, $before: String, $filter: InterceptionFilter) {\n    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {\n      totalCount\n      edges { cursor node { sessionId threadCount } }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n"): (typeof documents)["\n  query SessionDetail($id: String!, $first: Int, $after: String, $last: Int, $before: String) {\n    session(id: $id) {\n      id sessionId providers models client lastPrompt threadCount startedAt endedAt lastActiveAt\n      initiator { username }\n      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }\n      threads(first: $first, after: $after, last: $last, before: $before) {\n        totalCount pageStartedAt pageEndedAt\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n        edges {\n          node {\n            uuid prompt model credentialHint\n            tokenUsage { inputTokens outputTokens }\n            root { uuid }\n            interceptions { uuid }\n            agenticActions { model interception { uuid } tokenUsage { inputTokens } toolCalls { tool } thinking { text } }\n          }\n        }\n      }\n      interceptions(first: 10) { totalCount }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;