import type { ModelPrice, PrismaClient } from '../generated/prisma/client.ts';
import type { ModelKey } from './period.ts';
import type { PriceOverride } from './resolve.ts';

/** What an admin sets: micro-USD per million tokens, null = unknown. */
export interface PriceInput extends ModelKey {
  effectiveFrom: Date;
  input: bigint | null;
  output: bigint | null;
  cacheRead: bigint | null;
  cacheWrite: bigint | null;
  note?: string;
}

/** A price higher than $1,000,000 per million tokens is a typo, and would overflow nothing but sense. */
export const MAX_PRICE_MICROS = 1_000_000_000_000n;

export function toOverride(row: ModelPrice): PriceOverride {
  return {
    provider: row.provider,
    model: row.model,
    effectiveFrom: row.effectiveFrom,
    input: row.inputPrice,
    output: row.outputPrice,
    cacheRead: row.cacheReadPrice,
    cacheWrite: row.cacheWritePrice,
  };
}

/** Prisma's "table does not exist": a Coder database served read-only has no gateway tables. */
export const isMissingTable = (err: unknown) => (err as { code?: unknown } | null)?.code === 'P2021';

/**
 * The overrides of the given models (all of them when `models` is omitted). A database without
 * the gateway's table (a Coder database, read-only, when no state store was configured) has none.
 */
export async function overridesFor(prisma: PrismaClient, models?: readonly ModelKey[]): Promise<PriceOverride[]> {
  if (models && models.length === 0) return [];
  try {
    const rows = await prisma.modelPrice.findMany({
      where: models ? { OR: models.map((m) => ({ provider: m.provider, model: m.model })) } : {},
      orderBy: [{ provider: 'asc' }, { model: 'asc' }, { effectiveFrom: 'asc' }],
    });
    return rows.map(toOverride);
  } catch (err) {
    if (isMissingTable(err)) return [];
    throw err;
  }
}

/**
 * Creates the price of a model from an instant on, or replaces the one set for that instant.
 * Returns Prisma's lazy promise, so several can run in one `$transaction([...])`.
 */
export function setPrice(prisma: PrismaClient, p: PriceInput, createdBy: string | null) {
  const prices = { inputPrice: p.input, outputPrice: p.output, cacheReadPrice: p.cacheRead, cacheWritePrice: p.cacheWrite, note: p.note ?? '' };
  return prisma.modelPrice.upsert({
    where: { provider_model_effectiveFrom: { provider: p.provider, model: p.model, effectiveFrom: p.effectiveFrom } },
    create: { provider: p.provider, model: p.model, effectiveFrom: p.effectiveFrom, createdBy, ...prices },
    update: { ...prices, createdBy, createdAt: new Date() },
  });
}

/** Deletes one override; false when there was none with that id. */
export async function deletePrice(prisma: PrismaClient, id: string): Promise<boolean> {
  const { count } = await prisma.modelPrice.deleteMany({ where: { id } });
  return count > 0;
}

/** Why a price cannot be stored, or null when it can. */
export function priceProblem(p: PriceInput): string | null {
  if (!p.provider.trim() || !p.model.trim()) return 'provider and model must not be empty.';
  if (Number.isNaN(p.effectiveFrom.getTime())) return 'effectiveFrom is not a valid instant.';
  for (const [name, v] of [['inputPrice', p.input], ['outputPrice', p.output], ['cacheReadPrice', p.cacheRead], ['cacheWritePrice', p.cacheWrite]] as const) {
    if (v !== null && (v < 0n || v > MAX_PRICE_MICROS)) return `${name} must be between 0 and ${MAX_PRICE_MICROS} micro-USD per million tokens.`;
  }
  return null;
}
