import { listClients, listModels } from '../../domain/catalog.ts';
import { CATALOG_PAGE } from '../../limits.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';

const MAX = CATALOG_PAGE.max;

function limitOf(first: number | null | undefined): number {
  const n = first ?? CATALOG_PAGE.default;
  if (n < 0 || n > MAX) throw badInput(`"first" must be between 0 and ${MAX}.`, 'first');
  return n;
}

// Root fields listing distinct values of visible, completed interceptions (REST /models, /clients).
builder.queryFields((t) => ({
  models: t.stringList({
    description: 'Distinct models of the interceptions the caller may see, sorted (byte order).',
    args: {
      prefix: t.arg.string({ description: 'Case-sensitive prefix.' }),
      first: t.arg.int({ description: `At most this many values (default and maximum ${MAX}).` }),
    },
    resolve: (_root, args, { db, viewer }) => listModels(db, viewer, { prefix: args.prefix ?? undefined, limit: limitOf(args.first) }),
  }),
  clients: t.stringList({
    description: 'Distinct clients of the interceptions the caller may see, sorted; interceptions without one count as `Unknown`.',
    args: {
      prefix: t.arg.string({ description: 'Case-sensitive prefix.' }),
      first: t.arg.int({ description: `At most this many values (default and maximum ${MAX}).` }),
    },
    resolve: (_root, args, { db, viewer }) => listClients(db, viewer, { prefix: args.prefix ?? undefined, limit: limitOf(args.first) }),
  }),
}));
