import { ConfigError, type Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { openDatabase } from '../db/open.ts';
import { err } from './command.ts';

/**
 * Runs `fn` on the configured database, opened for a command that writes its own rows: no demo
 * data is written beside them (only `serve` seeds the embedded demo).
 */
export async function withWritableDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  if (config.readOnly) throw new ConfigError(['READ_ONLY: this command writes; unset READ_ONLY to run it']);
  const { db } = await openDatabase(config, { seedDemo: false, log: err });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
