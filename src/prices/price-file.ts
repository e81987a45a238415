import type { PriceOverride } from './resolve.ts';
import type { ModelKey } from './period.ts';
import { modelKey } from './period.ts';

/**
 * Coder's price file: a JSON array of {provider, model, input_price, output_price,
 * cache_read_price, cache_write_price}, micro-USD per million tokens, null = unknown. It carries
 * no dates: it says what each model costs now.
 */
export interface PriceFileEntry extends ModelKey {
  input_price: number | null;
  output_price: number | null;
  cache_read_price: number | null;
  cache_write_price: number | null;
}

const PRICE_KEYS = ['input_price', 'output_price', 'cache_read_price', 'cache_write_price'] as const;

export class PriceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceFileError';
  }
}

/** Parses and checks a price file; every problem names the entry. */
export function parsePriceFile(text: string): PriceFileEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PriceFileError(`not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new PriceFileError('a price file is a JSON array of {provider, model, input_price, …} objects');
  const seen = new Set<string>();
  return data.map((item: unknown, n) => {
    const where = `entry ${n}`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new PriceFileError(`${where}: not an object`);
    const o = item as Record<string, unknown>;
    for (const k of ['provider', 'model'] as const) {
      if (typeof o[k] !== 'string' || !(o[k]).trim()) throw new PriceFileError(`${where}: "${k}" must be a non-empty string`);
    }
    const entry = { provider: o.provider as string, model: o.model as string } as PriceFileEntry;
    for (const k of PRICE_KEYS) {
      const v = o[k] ?? null;
      if (v !== null && !(Number.isSafeInteger(v) && (v as number) >= 0)) {
        throw new PriceFileError(`${where} (${entry.provider}/${entry.model}): "${k}" must be a whole number of micro-USD per million tokens ≥ 0, or null`);
      }
      entry[k] = v as number | null;
    }
    if (seen.has(modelKey(entry))) throw new PriceFileError(`${where}: ${entry.provider}/${entry.model} appears twice`);
    seen.add(modelKey(entry));
    return entry;
  });
}

const num = (v: bigint | null) => (v === null ? null : Number(v));

/** The prices in force at `at` (each model's latest override from at or before it), as a price file. */
export function formatPriceFile(overrides: readonly PriceOverride[], at: Date): string {
  const current = new Map<string, PriceOverride>();
  for (const o of overrides) {
    if (o.effectiveFrom.getTime() > at.getTime()) continue;
    const k = modelKey(o);
    const was = current.get(k);
    if (!was || was.effectiveFrom < o.effectiveFrom) current.set(k, o);
  }
  const entries: PriceFileEntry[] = [...current.values()]
    .sort((a, b) => (a.provider === b.provider ? (a.model < b.model ? -1 : 1) : a.provider < b.provider ? -1 : 1))
    .map((o) => ({
      provider: o.provider,
      model: o.model,
      input_price: num(o.input),
      output_price: num(o.output),
      cache_read_price: num(o.cacheRead),
      cache_write_price: num(o.cacheWrite),
    }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}
