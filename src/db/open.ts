import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { describeCapabilities } from './capabilities.ts';
import { DatabaseUnavailableError, type Db } from './db.ts';
import { SchemaProbe } from './schema-probe.ts';
import { named } from './sql.ts';
import { migrate } from './migrate.ts';
import { createPgliteDb } from './pglite.ts';
import { createPostgresDb } from './postgres.ts';
import { replicaName, routeReads } from './replicas.ts';
import { seed } from './seed.ts';
import { seedPricingShapes } from './seed-pricing.ts';
import { createToken } from './users.ts';

export interface OpenedDatabase {
  db: Db;
  /** The optional Coder parts of `db` (detected at open when the database answers). */
  schema: SchemaProbe;
  mode: 'embedded' | 'postgres' | 'read-only';
  /** Embedded mode only: the demo owner's token, kept in DATA_DIR so every start can print it. */
  demoToken?: string;
}

export interface OpenOptions {
  /**
   * Embedded mode: write the demo data set and its owner's token when the database holds no
   * user yet. Only `serve` asks for it; a command that writes its own rows (`user create` on a
   * fresh data dir) must not find demo data beside them.
   */
  seedDemo: boolean;
  /**
   * Send reads to DATABASE_REPLICA_URLS. Only `serve` asks: the CLI's commands write, and every
   * statement of theirs must reach the primary.
   */
  replicas?: boolean;
  log?: (line: string) => void;
}

/** Interceptions the embedded demo starts with: enough to page through, quick to write. */
export const DEMO_INTERCEPTIONS = 1_500;

/**
 * A probe for `db` that logs each detection in one line, and a first detection now. A database
 * that does not answer yet (read-only mode starts without it) is detected on first need.
 */
async function probeSchema(db: Db, log: (line: string) => void): Promise<SchemaProbe> {
  const schema = new SchemaProbe(db, (caps) => log(describeCapabilities(caps)));
  await schema.current().catch((err: unknown) => {
    if (!(err instanceof DatabaseUnavailableError)) throw err;
    log('schema: not detected yet (the database is unavailable); detecting on first request');
  });
  return schema;
}

/** Opens the configured database; applies migrations unless read-only; seeds the demo if asked. */
export async function openDatabase(config: Config, { seedDemo, replicas = false, log = () => {} }: OpenOptions): Promise<OpenedDatabase> {
  if (config.databaseUrl) {
    const primary = createPostgresDb({ url: config.databaseUrl, max: config.poolSize });
    const mode = config.readOnly ? 'read-only' : 'postgres';
    if (!config.readOnly) {
      const applied = await migrate(primary);
      if (applied.length) log(`applied migrations: ${applied.join(', ')}`);
    }
    if (!replicas || config.replicaUrls.length === 0) return { db: primary, schema: await probeSchema(primary, log), mode };
    const db = routeReads(
      primary,
      config.replicaUrls.map((url) => ({ name: replicaName(url), db: createPostgresDb({ url, max: config.poolSize }) })),
    );
    log(`reads go to ${config.replicaUrls.length} replica(s): ${config.replicaUrls.map(replicaName).join(', ')}`);
    return { db, schema: await probeSchema(db, log), mode };
  }

  await mkdir(config.dataDir, { recursive: true });
  const db = await createPgliteDb(path.join(config.dataDir, 'pglite'));
  await migrate(db);
  const tokenFile = path.join(config.dataDir, 'demo-owner-token');
  if (seedDemo && (await countUsers(db)) === 0) {
    log(`first start: writing ${DEMO_INTERCEPTIONS} demo interceptions`);
    const end = new Date();
    await seed(db, { interceptions: DEMO_INTERCEPTIONS, end });
    // Sessions shaped for the spend recipes: prompt caching, a price change, an unpriced model.
    await seedPricingShapes(db, { end });
    const token = await createToken(db, 'admin', 365 * 24 * 3600, 'demo');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  }
  const demoToken = (await readFile(tokenFile, 'utf8').catch(() => '')).trim() || undefined;
  return { db, schema: await probeSchema(db, log), mode: 'embedded', demoToken };
}

async function countUsers(db: Db): Promise<number> {
  const [row] = await db.query<{ users: string }>(named('users.count')`SELECT count(*) AS users FROM users`);
  return Number(row.users);
}
