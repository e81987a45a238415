import { loadConfig } from '../config.ts';
import { seed } from '../db/seed.ts';
import { defineCommand, err, wholeNumber } from './command.ts';
import { progressBar } from './progress.ts';
import { withWritableDb } from './writable-db.ts';

export const seedCommand = defineCommand({
  words: ['seed'],
  synopsis: 'seed [--interceptions N] [--seed S]',
  summary: 'write deterministic demo data',
  description: `Writes deterministic demo data (the demo users and N interceptions with their children).

  --interceptions N   how many interceptions (default 10000)
  --seed S            PRNG seed: the same seed and count write the same rows (default 42)`,
  options: ['interceptions', 'seed'],
  async run(values) {
    const interceptions = wholeNumber('interceptions', values.interceptions, 10_000);
    const prng = wholeNumber('seed', values.seed, 42);
    const config = loadConfig();
    const started = Date.now();
    const written = await withWritableDb(config, (db) => seed(db, { interceptions, seed: prng, onProgress: progressBar() }));
    err(`wrote ${written} interceptions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  },
});
