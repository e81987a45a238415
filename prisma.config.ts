import { fileURLToPath } from 'node:url';
import { defineConfig } from 'prisma/config';

// `prisma generate` tries to download the native schema engine first and fails on machines
// without access to Prisma's binary host. Pointing the variable at any existing file skips the
// download; generate never executes it. Migrations are applied by our own runner (src/db/migrate.ts).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // env('DATABASE_URL') throws when unset, even for generate; embedded mode has no URL.
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/unused' },
});
