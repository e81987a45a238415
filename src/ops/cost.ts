import { complexityFromQuery } from '@pothos/plugin-complexity';
import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { RequestFacts } from './request-scope.ts';

/** Request header that asks for the cost of the response (GraphQL also takes `extensions.cost`). */
export const COST_HEADER = 'x-query-cost';

export interface Cost {
  /** SQL statements the request sent, authentication included. */
  statements: number;
  /** Their summed durations (statements that overlap each count in full). */
  dbMs: number;
  /** GraphQL only: the complexity the query limits are checked against (src/graphql/builder.ts). */
  complexity?: number;
}

export function costOf(facts: RequestFacts): Cost {
  return { statements: facts.statements, dbMs: Math.round(facts.dbMs * 1000) / 1000, ...(facts.complexity === undefined ? {} : { complexity: facts.complexity }) };
}

/** The cost as a structured-field dictionary (RFC 8941): `statements=3, db-ms=4.125, complexity=61`. */
export function costHeaderValue(cost: Cost): string {
  return [`statements=${cost.statements}`, `db-ms=${cost.dbMs}`, ...(cost.complexity === undefined ? [] : [`complexity=${cost.complexity}`])].join(', ');
}

/**
 * The complexity Pothos computes for the operation that runs: its calculator takes the first
 * operation of a document, so it is handed only the selected one (and the fragments).
 */
export function complexityOf(document: DocumentNode, operationName: string | null | undefined, schema: GraphQLSchema, context: object, variables: Record<string, unknown>): number | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const only: DocumentNode = { ...document, definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)] };
  return complexityFromQuery(only, { schema, ctx: context, variables }).complexity;
}
