import type { CodegenConfig } from '@graphql-codegen/cli';

const clientConfig = {
  scalars: { DateTime: 'string', UUID: 'string', JSON: 'unknown', SafeInt: 'number' },
  strictScalars: true,
  enumsAsTypes: true,
  useTypeImports: true,
  emitLegacyCommonJSImports: false,
};

/**
 * Typed documents generated from the committed schema.graphql: for the GraphQL tests (the
 * graphql(`…`) literals in test/graphql) and for the dashboard (dashboard/src/queries.ts). The
 * output is committed because the tests import it at run time and the dashboard's build bundles
 * it; test/graphql/schema.test.ts regenerates both in memory and fails when one is stale
 * (`npm run codegen` rewrites them).
 */
export const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'test/graphql/generated/': {
      documents: ['test/graphql/*.test.ts'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: clientConfig,
    },
    'dashboard/src/generated/': {
      documents: ['dashboard/src/**/*.ts', '!dashboard/src/generated/**'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: clientConfig,
    },
  },
};

export default config;
