import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the GraphQL tests, generated from the committed schema.graphql and the
 * graphql(`…`) literals in test/graphql. The output is committed because the tests import it at
 * run time; test/graphql/schema.test.ts regenerates it in memory and fails when it is stale
 * (`npm run codegen` rewrites it).
 */
export const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/graphql/*.test.ts'],
  ignoreNoDocuments: false,
  generates: {
    'test/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', UUID: 'string', JSON: 'unknown', SafeInt: 'number' },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
