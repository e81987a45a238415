import SchemaBuilder, { decodeBase64, encodeBase64 } from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { getDatamodel } from '../generated/pothos-types.ts';
import type PrismaTypes from '../generated/pothos-types.ts';
import type { GraphQLContext } from './context.ts';
import { badInput, noPriceStore, tooComplex } from './errors.ts';

/** Types reachable through node(id); an ID naming anything else is rejected before any lookup. */
export const NODE_TYPES = new Set(['User', 'Interception', 'Session', 'Thread', 'ModelPrice', 'NetworkCallLog']);

/**
 * Query bounds. Connections charge their page size for their nodes (see ./pagination.ts), so the
 * cost approximates the objects a response can hold; child lists are batched, hence cheap (1).
 * The largest documented queries (a 50-session page with threads and agentic actions, 1000
 * interceptions with every child) stay well below `complexity`; nesting large pages does not.
 * `breadth` counts every selection, aliased copies included, which is what bounds aliasing.
 */
export const LIMITS = { depth: 15, breadth: 400, complexity: 100_000 } as const;

// Configuration only: types live in ./types, one file each, gathered by ./index.ts.
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  // Only for the gateway's own tables (ModelPrice): Coder's tables stay on the SQL domain layer.
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Connection: {
    /** Counting is the expensive part of a list; only run when `totalCount` is selected. */
    totalCount: () => Promise<number>;
  };
  Scalars: {
    DateTime: { Input: string; Output: string };
    UUID: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
    SafeInt: { Input: number; Output: number | string };
  };
}>({
  plugins: [ComplexityPlugin, RelayPlugin, DataloaderPlugin, PrismaPlugin],
  prisma: {
    // List and mutation resolvers check for a store first (src/graphql/types/model-price.ts);
    // this is what a node(id) lookup meets without one.
    client: (ctx) => ctx.prisma ?? noPriceStore(),
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
  },
  defaultFieldNullability: false,
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 1,
    limit: LIMITS,
    complexityError: (kind, result) => tooComplex(kind, result),
  },
  relay: {
    cursorType: 'String',
    nodesOnConnection: false,
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    encodeGlobalID: (typename, id) => encodeBase64(`${typename}:${id}`),
    // Pothos's decoder throws internal errors for garbage and its node lookup fails on an unknown
    // type name; both are the caller's mistake, so they become BAD_USER_INPUT.
    decodeGlobalID: (globalID) => {
      let text = '';
      try {
        text = decodeBase64(globalID);
      } catch {
        // reported below
      }
      const colon = text.indexOf(':');
      const typename = text.slice(0, colon);
      const id = text.slice(colon + 1);
      if (colon <= 0 || !id || !NODE_TYPES.has(typename)) throw badInput(`Invalid ID: ${JSON.stringify(globalID)}.`);
      return { typename, id };
    },
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

// Every connection has an exact totalCount; the resolver only calls the counter when selected.
builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'Number of items over all pages (filters applied). Costs a count query: select it only when needed.',
    resolve: (connection) => connection.totalCount(),
  }),
);
