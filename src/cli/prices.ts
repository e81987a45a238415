import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../db/open.ts';
import { parseRfc3339 } from '../domain/validation.ts';
import { formatPriceFile, parsePriceFile, PriceFileError, type PriceFileEntry } from '../prices/price-file.ts';
import { overridesFor, type PriceInput, priceProblem, setPrice } from '../prices/overrides.ts';
import { openPriceStore, type PriceStore } from '../prices/state-store.ts';

export const PRICES_USAGE = `usage: aibridge-graphql prices <command>

  prices import FILE [--effective-from T] [--note N]
                    set the prices of a Coder price file (JSON array of {provider, model,
                    input_price, output_price, cache_read_price, cache_write_price}, micro-USD
                    per million tokens, null = unknown), all or none; from T (RFC 3339) on,
                    default since always
  prices export     print the prices in force now, in the same format
  prices list       print every override (tab-separated), dated

With READ_ONLY=1 the overrides live in STATE_DATABASE_URL, else in a PGlite in DATA_DIR/state;
otherwise in the gateway's database.`;

type Env = Record<string, string | undefined>;

/**
 * `aibridge-graphql prices …`; returns the exit code as the other commands do: 0 done, 1 the
 * command failed (an unreachable database), 2 the command line, the environment or the file is
 * wrong (nothing written).
 */
export async function pricesCommand(argv: string[], env: Env, out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  try {
    return await prices(argv, env, out, err);
  } catch (e) {
    err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

async function prices(argv: string[], env: Env, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'effective-from': { type: 'string' }, note: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    err(`${(e as Error).message}\n\n${PRICES_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if (values.help) {
    out(`${PRICES_USAGE}\n`);
    return 0;
  }
  const known = (command === 'import' && file !== undefined && extra.length === 0) || ((command === 'export' || command === 'list') && file === undefined);
  if (!known) {
    err(`${PRICES_USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`${e.message}\n`);
      return 2;
    }
    throw e;
  }

  let effectiveFrom = new Date('1970-01-01T00:00:00Z');
  if (values['effective-from'] !== undefined) {
    const t = parseRfc3339(values['effective-from'].toUpperCase());
    if (!t) {
      err(`--effective-from must be an RFC 3339 timestamp, e.g. 2026-12-01T00:00:00Z\n`);
      return 2;
    }
    effectiveFrom = new Date(Number(t.epochNanos / 1_000_000n));
  }
  let entries: PriceFileEntry[] = [];
  if (command === 'import') {
    try {
      entries = parsePriceFile(await readFile(file, 'utf8'));
    } catch (e) {
      if (e instanceof PriceFileError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
        err(`${file}: ${(e as Error).message}\n`);
        return 2;
      }
      throw e;
    }
  }

  // Own modes keep prices in the gateway's database; read-only mode never opens Coder's for this.
  const opened = config.readOnly ? undefined : await openDatabase(config, { seedDemo: false });
  let store: PriceStore | undefined;
  try {
    store = await openPriceStore(config, opened?.db);
    const { prisma } = store;
    if (command === 'import') {
      const prices: PriceInput[] = entries.map((e) => ({
        provider: e.provider,
        model: e.model,
        effectiveFrom,
        input: e.input_price === null ? null : BigInt(e.input_price),
        output: e.output_price === null ? null : BigInt(e.output_price),
        cacheRead: e.cache_read_price === null ? null : BigInt(e.cache_read_price),
        cacheWrite: e.cache_write_price === null ? null : BigInt(e.cache_write_price),
        note: values.note ?? 'prices import',
      }));
      const problem = prices.map(priceProblem).find((p) => p !== null);
      if (problem) {
        err(`${file}: ${problem}\n`);
        return 2;
      }
      await prisma.$transaction(prices.map((p) => setPrice(prisma, p, null)));
      err(`imported ${prices.length} prices (from ${effectiveFrom.toISOString()}) into the ${store.where}\n`);
    } else if (command === 'export') {
      out(formatPriceFile(await overridesFor(prisma), new Date()));
    } else {
      const rows = await prisma.modelPrice.findMany({ orderBy: [{ provider: 'asc' }, { model: 'asc' }, { effectiveFrom: 'asc' }] });
      const cell = (v: bigint | null) => (v === null ? '-' : v.toString());
      out('provider\tmodel\teffective_from\tinput_price\toutput_price\tcache_read_price\tcache_write_price\tnote\n');
      for (const r of rows) {
        out(`${[r.provider, r.model, r.effectiveFrom.toISOString(), cell(r.inputPrice), cell(r.outputPrice), cell(r.cacheReadPrice), cell(r.cacheWritePrice), r.note].join('\t')}\n`);
      }
    }
    return 0;
  } finally {
    await store?.close();
    await opened?.db.close();
  }
}
