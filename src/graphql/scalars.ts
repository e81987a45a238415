import { GraphQLDateTime, GraphQLJSON, GraphQLSafeInt, GraphQLUUID } from 'graphql-scalars';
import { rfc3339 } from '../domain/values.ts';
import { builder } from './builder.ts';

/**
 * graphql-scalars' DateTime turns values into JS Dates, which keep milliseconds only; Coder's
 * timestamps carry microseconds. Its validation is kept, the text is not re-parsed: outputs are
 * PostgreSQL text turned into RFC 3339 as REST prints them, inputs stay strings for SQL.
 */
builder.addScalarType('DateTime', GraphQLDateTime, {
  description: 'An RFC 3339 timestamp in UTC with up to microsecond precision, e.g. `2026-04-01T12:34:56.789012Z`.',
  serialize: (value) => rfc3339(value as string),
  parseValue: (value) => {
    GraphQLDateTime.parseValue(value);
    return value as string;
  },
  // One parameter: a scalar literal holds no variables, and graphql-jit writes a warning to
  // stderr (not the JSON log) for every document it compiles with a parseLiteral that takes two.
  parseLiteral: (ast) => {
    GraphQLDateTime.parseLiteral(ast);
    return (ast as { value: string }).value;
  },
});

builder.addScalarType('UUID', GraphQLUUID);
builder.addScalarType('JSON', GraphQLJSON);

/**
 * Token counts are bigint columns and sums pass 2^31 (GraphQL's Int). SafeInt is a JSON number
 * up to 2^53-1, like REST's counters; the database's exact text is handed to it unconverted, so a
 * value it cannot represent exactly is an error rather than a silently rounded number.
 */
builder.addScalarType('SafeInt', GraphQLSafeInt, {
  description: 'A whole number up to 2^53-1 (JSON number), used for 64-bit token counts.',
});
