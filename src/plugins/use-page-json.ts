import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { interceptionsPageJson } from '../graphql/page-json.ts';

/**
 * Answers `interceptions` pages from one statement whose JSON PostgreSQL builds when the whole
 * operation allows it (src/graphql/page-json.ts), else runs the execution the other plugins
 * chose (graphql-jit or graphql-js). Listed after them: it wraps their choice.
 */
export function usePageJson(): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(async (args: ExecutionArgs) => (await interceptionsPageJson(args)) ?? (executeFn(args) as Promise<ExecutionResult>));
    },
  };
}
