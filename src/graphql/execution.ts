import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST, getVariableValues, GraphQLError, visit, type DocumentNode, type ExecutionArgs, type ExecutionResult, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Compiled execution (graphql-jit). The interpreter in graphql-js/graphql-tools allocates a
 * resolve-info object, a path and a promise chain per field; a 100-interception page with its
 * children resolves ~3,400 fields, and that work plus the garbage it leaves was most of the
 * gateway's CPU (W4 in bench/results: 14 ms CPU per request in-process, 5 ms compiled, with
 * byte-identical responses).
 *
 * Compiling costs more than interpreting once (W4's document: ~4 ms; it grows faster than the
 * document: 60 aliased copies of it, 3,900 tokens, took 200-600 ms). So a document is compiled
 * only on its second execution and only when it is small (see `eligible`): one-off
 * documents (GraphiQL exploration, a client sending ever-new documents) and huge ones are
 * interpreted, and nobody can make the server compile at will. Yoga caches parsed documents, so
 * a repeated document is the same object here.
 */
export const COMPILE_AFTER_RUNS = 2;
export const COMPILE_MAX_FIELDS = 200;

/** `onCompile` is told each document the first time it runs compiled (tests check which do). */
export function compiledExecutionPlugins(onCompile?: (document: DocumentNode) => void): Plugin[] {
  const seen = new WeakMap<DocumentNode, { runs: number; eligible: boolean; compiled: boolean }>();
  return [
    useGraphQlJit({}, {
      enableIf: (args) => {
        const { document } = args;
        let s = seen.get(document);
        if (!s) seen.set(document, (s = { runs: 0, eligible: eligible(document), compiled: false }));
        s.runs++;
        // Variables graphql-js would reject are left to it: graphql-jit words those errors
        // differently and answers them with 200 where graphql-js's answer gets a 400.
        const compiled = s.eligible && s.runs >= COMPILE_AFTER_RUNS && variablesValid(args);
        if (compiled && !s.compiled) {
          s.compiled = true;
          onCompile?.(document);
        }
        return compiled;
      },
    }) as Plugin,
    useGraphQLErrors(),
  ];
}

function variablesValid(args: ExecutionArgs): boolean {
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  if (!operation) return false;
  const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {}, { maxErrors: 1 });
  return !coerced.errors;
}

/**
 * At most COMPILE_MAX_FIELDS fields, and one operation: the plugin caches one compiled operation
 * per document whatever operationName asks for, so a document holding several would run the
 * first one compiled for every name.
 */
function eligible(document: DocumentNode): boolean {
  let fields = 0;
  let operations = 0;
  visit(document, { Field: () => void fields++, OperationDefinition: () => void operations++ });
  return fields <= COMPILE_MAX_FIELDS && operations === 1;
}

/**
 * graphql-jit reports errors with its own GraphQLError (a graphql-js subclass whose properties
 * are read-only, whose extensions may be absent, and which carries locations but no AST nodes),
 * and puts `data` before `errors` (and `data: undefined` when there is none, which Yoga answers
 * with 200 instead of 400). The error masking in src/app.ts adds codes to client errors in place,
 * and Yoga rebuilds every error from its nodes or source positions when it serialises it, so
 * these become graphql-js errors with the same message, positions, path, original error and
 * extensions, in a result shaped as graphql-js shapes it. Runs before the masking (Yoga adds
 * that after the configured plugins).
 */
function useGraphQLErrors(): Plugin {
  return {
    onExecute: ({ args }) => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!('errors' in result) || !result.errors?.length) return;
        const source = (args.document as DocumentNode).loc?.source;
        const shaped: ExecutionResult = { errors: (result.errors as readonly GraphQLError[]).map((e) => toGraphQLError(e, source)) };
        if (result.data !== undefined) shaped.data = result.data;
        if (result.extensions !== undefined) shaped.extensions = result.extensions;
        setResult(shaped);
      },
    }),
  };
}

function toGraphQLError(e: GraphQLError, source: Source | undefined): GraphQLError {
  if (e.constructor === GraphQLError) return e;
  const positions = source && e.locations?.length ? e.locations.map((l) => offsetOf(source.body, l.line, l.column)) : undefined;
  return new GraphQLError(e.message, {
    source: positions ? source : undefined,
    positions,
    path: e.path,
    originalError: e.originalError,
    extensions: e.extensions ? { ...e.extensions } : undefined,
  });
}

/** The character offset of a 1-based line and column (graphql-js counts \r\n, \n, \r as line ends). */
function offsetOf(body: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const m = /\r\n|[\n\r]/g;
    m.lastIndex = offset;
    const found = m.exec(body);
    if (!found) break;
    offset = found.index + found[0].length;
  }
  return offset + column - 1;
}
