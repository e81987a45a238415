/**
 * Writes the GraphQL schema, lexicographically sorted, to schema.graphql (the committed contract).
 * `--check` writes nothing and exits 1 when the committed file differs, so CI catches a schema
 * change that was not printed and reviewed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/graphql/index.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

async function main() {
  const printed = printedSchema();
  if (process.argv.includes('--check')) {
    const committed = await readFile(SCHEMA_FILE, 'utf8').catch(() => '');
    if (committed !== printed) {
      console.error('schema.graphql is stale: run `npm run schema:print` and commit the result.');
      process.exit(1);
    }
    console.log('schema.graphql is up to date.');
    return;
  }
  await writeFile(SCHEMA_FILE, printed);
  console.log(`wrote ${SCHEMA_FILE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
