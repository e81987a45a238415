// ESLint (flat config): TypeScript with type information, and the printed GraphQL schema with
// the Relay rules (connection, edge and page-info types, connection arguments). Run by `npm test`.
import js from '@eslint/js';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/', 'test/graphql/generated/', 'bench/', 'dist/', 'test-output/', '.data/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['schema.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: 'schema.graphql' } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      '@graphql-eslint/relay-connection-types': 'error',
      '@graphql-eslint/relay-edge-types': 'error',
      '@graphql-eslint/relay-page-info': 'error',
      '@graphql-eslint/relay-arguments': 'error',
    },
  },
);
