import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { seed } from '../src/db/seed.ts';
import { seedPricingShapes } from '../src/db/seed-pricing.ts';
import { createToken } from '../src/db/users.ts';
import { defaultGeneration, describeEachDb } from './support/databases.ts';
import { gql } from './support/http.ts';
import { ROOT } from './support/process.ts';

/**
 * Every query of docs/cookbook.md, with the variables block that follows it, against the demo
 * data as the demo owner: no errors, and an answer (some list in it is not empty, or a count above 0).
 * Recipes titled "(current Coder)" read what only a current Coder schema holds: over a seed-era
 * database they must still run without errors, and find nothing.
 */
const doc = readFileSync(path.join(ROOT, 'docs/cookbook.md'), 'utf8');
const recipes = doc
  .split(/^## /m)
  .slice(1)
  .map((section) => ({
    title: section.slice(0, section.indexOf('\n')),
    query: /```graphql\n([\s\S]*?)```/.exec(section)?.[1] ?? '',
    variables: ((v) => (v ? JSON.parse(v) : undefined))(/```json\n([\s\S]*?)```/.exec(section)?.[1]),
    jq: /```sh\n(jq [\s\S]*?)```/.exec(section)?.[1],
  }))
  .filter((r) => r.query);

// The jq lines are checked where jq is installed (.ci/run installs it).
const hasJq = spawnSync('jq', ['--version']).status === 0;
if (!hasJq) console.warn('cookbook jq lines NOT checked: jq is not installed');

function hasAnswer(value: unknown): boolean {
  if (typeof value === 'number') return value > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.values(value).some(hasAnswer);
  return false;
}

let token: string;

it('holds at least 10 recipes', () => {
  expect(recipes.length).toBeGreaterThanOrEqual(10);
});

describeEachDb(
  'cookbook',
  (ctx) => {
    it.each(recipes.map((r) => [r.title, r] as const))('%s: answers data without errors (and its jq program runs)', async (title, recipe) => {
      const res = await gql(createApp({ db: ctx().db }), recipe.query, recipe.variables, token);
      expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
      if (title.includes('(current Coder)') && defaultGeneration() === 'seed-era') {
        expect(JSON.stringify(res.body.data)).not.toMatch(/"(error|networkCalls)":\{/);
        return;
      }
      expect(hasAnswer(res.body.data), JSON.stringify(res.body.data).slice(0, 500)).toBe(true);
      if (recipe.jq && hasJq) {
        const program = recipe.jq.trim().replace(/^jq\s+'/, '').replace(/'$/, '');
        const out = spawnSync('jq', [program], { input: JSON.stringify(res.body), encoding: 'utf8' });
        expect(out.status, out.stderr).toBe(0);
        expect(hasAnswer(JSON.parse(out.stdout)), out.stdout.slice(0, 500)).toBe(true);
      }
    });
  },
  async ({ db }) => {
    // The embedded demo's data set, anchored where the cookbook's example dates expect it.
    const end = new Date('2026-11-20T12:00:00Z');
    await seed(db, { interceptions: 1500, end });
    await seedPricingShapes(db, { end });
    token = await createToken(db, 'admin');
  },
);
