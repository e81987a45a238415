import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServer, type RunningServer } from './support/process.ts';

/**
 * Every shell block of the README that calls curl runs here, as written, against a live
 * embedded server started the README's way (data in ./.data of the working directory); only the
 * port differs. A block passes when each curl gets the expected HTTP status (200, or the one a
 * `<!-- readme-test: expect NNN -->` comment names) and a JSON body. A block marked
 * `<!-- readme-test: sse -->` holds subscriptions: each curl ends at its own `--max-time` (exit
 * 28 is expected there) and must get 200 and an event stream (it opens with a keep-alive comment).
 */
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/(?:<!-- readme-test: (?:expect (\d{3})|(sse)) -->\n)?```sh\n([\s\S]*?)```/g)]
  .map((m) => ({ expect: Number(m[1] ?? 200), sse: m[2] === 'sse', script: m[3] }))
  .filter((b) => /^\s*curl /m.test(b.script));

// Each curl reports its status on a line of its own after the body.
const PRELUDE = `set -euo pipefail
curl() { command curl -w '\\n@@status %{http_code}\\n' "$@"; }
`;
const SSE_PRELUDE = `set -euo pipefail
curl() { command curl -w '\\n@@status %{http_code}\\n' "$@" || [ $? -eq 28 ]; }
`;

describe('README examples', () => {
  let dir: string;
  let server: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aibridge-readme-'));
    server = await startServer({ DATA_DIR: path.join(dir, '.data') });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('has curl examples to run', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it.each(blocks.map((b, i) => [i + 1, b] as const))('block %i works as written', (_i, block) => {
    const port = new URL(server.url).port;
    const script = block.script.replaceAll('127.0.0.1:4000', `127.0.0.1:${port}`);
    // The SESSION=$(curl … | node …) example pipes a body onward, so the status wrapper is off there.
    const result = spawnSync('bash', ['-c', (block.sse ? SSE_PRELUDE : PRELUDE) + script.replace(/\$\(curl /g, '$(command curl ')], { cwd: dir, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const parts = result.stdout.split(/\n@@status (\d{3})\n/);
    const statuses = parts.filter((_, i) => i % 2 === 1).map(Number);
    const bodies = parts.filter((_, i) => i % 2 === 0).slice(0, statuses.length);
    expect(statuses.length).toBe((script.match(/^\s*curl /gm) ?? []).length);
    statuses.forEach((status, i) => {
      expect(status, bodies[i]).toBe(block.expect);
      if (block.sse) expect(bodies[i]).toMatch(/^:\n\n(?![\s\S]*"errors")/);
      else expect(() => JSON.parse(bodies[i]), bodies[i]).not.toThrow();
    });
  });
});
