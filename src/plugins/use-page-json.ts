import type { DocumentNode, ExecutionArgs, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import { interceptionsPageJson } from '../graphql/page-json.ts';

const DOCUMENT = Symbol('parsed document');

/** The request's parsed document, for the context factory (Yoga builds the context after parse and validation). */
export function parsedDocument(context: object): DocumentNode | undefined {
  return (context as { [DOCUMENT]?: DocumentNode })[DOCUMENT];
}

/**
 * Answers `interceptions` pages from one statement whose JSON PostgreSQL builds when the whole
 * operation allows it (src/graphql/page-json.ts): with the answer the context factory read
 * together with authentication (context.pageJson), else from the page statement, else by the
 * execution the other plugins chose (graphql-jit or graphql-js). Listed after them: it wraps
 * their choice.
 */
export function usePageJson(): Plugin {
  return {
    onParse() {
      return ({ result, extendContext }) => {
        if (result && !(result instanceof Error)) extendContext({ [DOCUMENT]: result as DocumentNode } as object);
      };
    },
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const answered = (args.contextValue as unknown as GraphQLContext).pageJson;
      if (answered) return setResultAndStopExecution(answered);
      setExecuteFn(async (a: ExecutionArgs) => (await interceptionsPageJson(a)) ?? (executeFn(a) as Promise<ExecutionResult>));
    },
  };
}
