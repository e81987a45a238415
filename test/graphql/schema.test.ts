import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { config } from '../../codegen.ts';

describe('committed generated files', () => {
  // Run as CI runs it: in-process, vite would load a second copy of graphql beside Pothos's.
  it('schema.graphql matches the code-first schema (run `npm run schema:print`)', async () => {
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/print-schema.ts', '--check']).catch((e) => e);
    expect(run.stderr ?? '').toBe('');
    expect(run.stdout).toContain('up to date');
  }, 60_000);

  it('test/graphql/generated and dashboard/src/generated match codegen over schema.graphql and their documents (run `npm run codegen`)', async () => {
    const outputs = (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) {
      expect(await readFile(filename, 'utf8').catch(() => '(missing)'), filename).toBe(content);
    }
  }, 60_000);
});
