import { z } from 'zod';

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const EnvShape = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  READ_ONLY: flag.default(false),
  STATE_DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('./.data'),
  GRAPHIQL: flag.default(true),
  INTROSPECTION: flag.default(true),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

const EnvSchema = EnvShape.superRefine((env, ctx) => {
  if (env.READ_ONLY && !env.DATABASE_URL) {
    ctx.addIssue({ code: 'custom', path: ['READ_ONLY'], message: 'needs DATABASE_URL (read-only mode serves an existing database)' });
  }
});

/** Every environment variable the gateway reads, from the schema itself so no list can fall behind it. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvShape.shape);

export interface Config {
  databaseUrl?: string;
  readOnly: boolean;
  /** READ_ONLY=1 only: where the gateway's own data (price overrides) lives; else PGlite in DATA_DIR. */
  stateDatabaseUrl?: string;
  port: number;
  host: string;
  dataDir: string;
  graphiql: boolean;
  introspection: boolean;
  poolSize: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; every problem is listed in one error. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL || undefined,
    readOnly: e.READ_ONLY,
    stateDatabaseUrl: e.STATE_DATABASE_URL || undefined,
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    graphiql: e.GRAPHIQL,
    introspection: e.INTROSPECTION,
    poolSize: e.DB_POOL_SIZE,
  };
}
