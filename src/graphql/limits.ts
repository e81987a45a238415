import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Bounds on the document itself, checked before anything runs: tokens while parsing (a 1 MB
 * document or 10,000 aliases stops at the first token over the limit, so parsing stays cheap),
 * aliases and directives while validating. Depth, breadth and cost are the schema's own
 * (LIMITS in ./builder.ts, from the complexity plugin). Every documented and cookbook query stays
 * far below these; the request body is bounded separately (MAX_BODY_BYTES in src/plugins/use-body-limit.ts).
 */
export const DOCUMENT_LIMITS = { tokens: 5000, aliases: 100, directives: 50 } as const;

/** GraphQL Armor's errors say what was exceeded; this adds the stable code clients branch on. */
function tag(limit: keyof typeof DOCUMENT_LIMITS) {
  return (_ctx: unknown, error: GraphQLError) => {
    Object.assign(error.extensions as Record<string, unknown>, { code: 'QUERY_TOO_COMPLEX', limit, max: DOCUMENT_LIMITS[limit] });
  };
}

export function documentLimitPlugins(): Plugin[] {
  return [
    maxTokensPlugin({ n: DOCUMENT_LIMITS.tokens, onReject: [tag('tokens')] }),
    maxAliasesPlugin({ n: DOCUMENT_LIMITS.aliases, onReject: [tag('aliases')] }),
    maxDirectivesPlugin({ n: DOCUMENT_LIMITS.directives, onReject: [tag('directives')] }),
  ] as Plugin[];
}
