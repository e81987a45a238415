import { GraphQLError } from 'graphql';

/**
 * The errors a client is meant to see. Anything else thrown in a resolver is masked by Yoga
 * (src/app.ts) as INTERNAL_SERVER_ERROR, so SQL and stacks never leave the server.
 */
export function badInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) } });
}

export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND' } });
}

export function tooComplex(
  pothosKind: string,
  r: { depth: number; breadth: number; complexity: number; maxDepth?: number; maxBreadth?: number; maxComplexity?: number },
): GraphQLError {
  const kind = pothosKind.toLowerCase();
  const [value, max] = kind === 'depth' ? [r.depth, r.maxDepth] : kind === 'breadth' ? [r.breadth, r.maxBreadth] : [r.complexity, r.maxComplexity];
  const what = kind === 'breadth' ? 'number of selected fields (aliases included)' : kind === 'depth' ? 'depth' : 'cost';
  return new GraphQLError(`Query ${what} ${value} exceeds the maximum of ${max}; ask for fewer or smaller pages.`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', limit: kind, value, max },
  });
}

/** Price overrides asked for where the gateway has no store of its own (read-only, none configured). */
export function noPriceStore(): never {
  throw new GraphQLError('Price overrides need a state store: with READ_ONLY=1 set STATE_DATABASE_URL, or let them live in DATA_DIR.', {
    extensions: { code: 'FAILED_PRECONDITION' },
  });
}
