import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite would resolve `graphql` to its ESM build (package.json "module") for our files while
  // Yoga and Pothos, loaded by Node, get the CommonJS build: two GraphQLError classes, so
  // instanceof checks (error masking) behave differently from production. One build for all.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-output/vitest.json' }]] : ['default'],
  },
});
