import { parsePrismaCursor } from '@pothos/plugin-prisma';
import { GraphQLError } from 'graphql';
import { MODEL_PRICE_PAGE } from '../../limits.ts';
import { pageComplexity, type ConnectionArgs } from '../pagination.ts';
import { deletePrice, isMissingTable, type PriceInput, priceProblem, setPrice } from '../../prices/overrides.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badInput, noPriceStore } from '../errors.ts';
import { isUuid } from '../../domain/ids.ts';

/**
 * Admin price overrides: the gateway's own table, plain CRUD through Prisma's client and
 * @pothos/plugin-prisma (the one place Prisma serves GraphQL; Coder's tables stay on SQL).
 */

/** A JS Date as the PostgreSQL UTC text the DateTime scalar takes (see src/graphql/scalars.ts). */
const pgText = (d: Date) => d.toISOString().replace('T', ' ').replace(/\.?0*Z$/, '+00');

const price = (v: bigint | null) => (v === null ? null : Number(v));

export const ModelPriceRef = builder.prismaNode('ModelPrice', {
  description: 'An admin price for a model from an instant on, overriding the package default (micro-USD per million tokens; null = unknown).',
  id: { field: 'id' },
  // Everyone signed in may read prices; an id that is no UUID names no row (rather than a Prisma error).
  findUnique: (id) => ({ id: isUuid(id) ? id.toLowerCase() : '00000000-0000-0000-0000-000000000000' }),
  nullable: true,
  fields: (t) => ({
    uuid: t.expose('id', { type: 'UUID' }),
    provider: t.exposeString('provider', { description: 'Provider type as AI Bridge records it (`anthropic`, `openai`, `copilot`…).' }),
    model: t.exposeString('model'),
    effectiveFrom: t.field({
      type: 'DateTime',
      description: "Requests started at or after this instant use this price, until the model's next override.",
      resolve: (p) => pgText(p.effectiveFrom),
    }),
    inputPrice: t.field({ type: 'SafeInt', nullable: true, resolve: (p) => price(p.inputPrice) }),
    outputPrice: t.field({ type: 'SafeInt', nullable: true, resolve: (p) => price(p.outputPrice) }),
    cacheReadPrice: t.field({ type: 'SafeInt', nullable: true, resolve: (p) => price(p.cacheReadPrice) }),
    cacheWritePrice: t.field({ type: 'SafeInt', nullable: true, resolve: (p) => price(p.cacheWritePrice) }),
    note: t.exposeString('note'),
    createdBy: t.expose('createdBy', { type: 'UUID', nullable: true, description: 'The owner who set it.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (p) => pgText(p.createdAt) }),
  }),
});

function requireStore(ctx: GraphQLContext) {
  return ctx.prisma ?? noPriceStore();
}

/** A write into a database without the gateway's table (a Coder database) is the same mistake. */
async function inStore<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isMissingTable(err)) noPriceStore();
    throw err;
  }
}

function requireOwner(ctx: GraphQLContext) {
  if (!ctx.viewer.roles.includes('owner')) {
    throw new GraphQLError('Only owners may change prices.', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
  }
}

/**
 * Relay arguments as plugin-prisma's cursor pagination takes them, or BAD_USER_INPUT: sizes within
 * the page limit, no before with after (nor before with first, after with last), and cursors that
 * name a price's UUID (a malformed one would reach the database as an invalid UUID).
 */
function checkedPageArgs(args: ConnectionArgs): number {
  for (const name of ['first', 'last'] as const) {
    const v = args[name];
    if (v != null && (v < 0 || v > MODEL_PRICE_PAGE.max)) throw badInput(`"${name}" must be between 0 and ${MODEL_PRICE_PAGE.max}.`, name);
  }
  if (args.first != null && args.last != null) throw badInput('Pass either "first" or "last", not both.', 'last');
  if (args.before && args.after) throw badInput('Pass either "after" or "before", not both.', 'before');
  if (args.before && args.first != null) throw badInput('"before" pages backwards: use it with "last".', 'before');
  if (args.after && args.last != null) throw badInput('"after" pages forwards: use it with "first".', 'after');
  for (const name of ['after', 'before'] as const) {
    const cursor = args[name];
    if (!cursor) continue;
    let id: unknown;
    try {
      id = parsePrismaCursor(cursor);
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string' || !isUuid(id)) throw badInput(`Invalid pagination cursor in "${name}".`, name);
  }
  return MODEL_PRICE_PAGE.max;
}

/** Reads: without a store, or over a database without the table, there are no overrides. */
async function orNone<T>(ctx: GraphQLContext, none: T, read: (prisma: NonNullable<GraphQLContext['prisma']>) => Promise<T>): Promise<T> {
  if (!ctx.prisma) return none;
  try {
    return await read(ctx.prisma);
  } catch (err) {
    if (isMissingTable(err)) return none;
    throw err;
  }
}

builder.queryFields((t) => ({
  modelPrices: t.prismaConnection({
    type: 'ModelPrice',
    cursor: 'id',
    description: 'Admin price overrides (everyone signed in may read them), by provider, model and effectiveFrom.',
    args: {
      provider: t.arg.string({ required: false }),
      model: t.arg.string({ required: false }),
    },
    defaultSize: MODEL_PRICE_PAGE.default,
    // Runs before plugin-prisma reads the arguments: its own refusals are internal errors.
    maxSize: (args) => checkedPageArgs(args),
    complexity: pageComplexity(MODEL_PRICE_PAGE),
    totalCount: (_parent, args, ctx) =>
      orNone(ctx, 0, (prisma) => prisma.modelPrice.count({ where: { provider: args.provider ?? undefined, model: args.model ?? undefined } })),
    resolve: (query, _root, args, ctx) =>
      orNone(ctx, [], (prisma) => prisma.modelPrice.findMany({
        ...query,
        where: { provider: args.provider ?? undefined, model: args.model ?? undefined },
        orderBy: [{ provider: 'asc' }, { model: 'asc' }, { effectiveFrom: 'asc' }, { id: 'asc' }],
      })),
  }),
}));

const ModelPriceInput = builder.inputType('ModelPriceInput', {
  description: 'A price for a model from an instant on, micro-USD per million tokens (Coder\'s unit); null = unknown.',
  fields: (t) => ({
    provider: t.string({ required: true }),
    model: t.string({ required: true }),
    effectiveFrom: t.field({ type: 'DateTime', required: false, description: 'Default: since always (1970-01-01T00:00:00Z).' }),
    inputPrice: t.field({ type: 'SafeInt', required: false }),
    outputPrice: t.field({ type: 'SafeInt', required: false }),
    cacheReadPrice: t.field({ type: 'SafeInt', required: false }),
    cacheWritePrice: t.field({ type: 'SafeInt', required: false }),
    note: t.string({ required: false }),
  }),
});

const big = (v: number | null | undefined) => (v == null ? null : BigInt(v));

builder.mutationFields((t) => ({
  setModelPrice: t.prismaField({
    type: 'ModelPrice',
    description: 'Owners only: sets the price of a model from effectiveFrom on (replacing one set for the same instant). Takes effect at once.',
    args: { input: t.arg({ type: ModelPriceInput, required: true }) },
    resolve: async (_query, _root, { input }, ctx) => {
      requireOwner(ctx);
      const prisma = requireStore(ctx);
      const p: PriceInput = {
        provider: input.provider,
        model: input.model,
        effectiveFrom: new Date(input.effectiveFrom ?? '1970-01-01T00:00:00Z'),
        input: big(input.inputPrice),
        output: big(input.outputPrice),
        cacheRead: big(input.cacheReadPrice),
        cacheWrite: big(input.cacheWritePrice),
        note: input.note ?? '',
      };
      const problem = priceProblem(p);
      if (problem) throw badInput(problem, 'input');
      return inStore(() => setPrice(prisma, p, ctx.viewer.id));
    },
  }),
  deleteModelPrice: t.boolean({
    description: 'Owners only: deletes a price override; false when none has that id.',
    args: { uuid: t.arg({ type: 'UUID', required: true }) },
    resolve: async (_root, args, ctx) => {
      requireOwner(ctx);
      const prisma = requireStore(ctx);
      return inStore(() => deletePrice(prisma, args.uuid.toLowerCase()));
    },
  }),
}));
