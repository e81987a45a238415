import type { UsageGroup } from '../../domain/usage/report.ts';
import { builder } from '../builder.ts';
import { loaders } from '../loaders.ts';
import { CredentialKindEnum } from './interception.ts';
import { UsageFiguresRef } from './usage-figures.ts';
import { UserRef } from './user.ts';

export const UsageGroupRef = builder.objectRef<UsageGroup>('UsageGroup');

UsageGroupRef.implement({
  description: 'Usage figures of one group: one value of each dimension grouped by, and one time bucket when bucketed. Keys not grouped by are null.',
  fields: (t) => ({
    initiator: t.field({
      type: UserRef,
      nullable: true,
      description: 'The initiator (grouped by INITIATOR). A member only ever sees themselves here.',
      resolve: (g, _args, ctx) => (g.initiatorId ? loaders(ctx).users.load(g.initiatorId) : null),
    }),
    model: t.exposeString('model', { nullable: true }),
    provider: t.exposeString('provider', { nullable: true }),
    providerName: t.exposeString('providerName', { nullable: true }),
    client: t.exposeString('client', { nullable: true, description: 'Client; interceptions without one are grouped as `Unknown`, as REST matches them.' }),
    credentialKind: t.expose('credentialKind', { type: CredentialKindEnum, nullable: true }),
    bucketStart: t.expose('bucketStart', { type: 'DateTime', nullable: true, description: 'Start of the time bucket (inclusive).' }),
    bucketEnd: t.expose('bucketEnd', {
      type: 'DateTime',
      nullable: true,
      description: 'End of the time bucket (exclusive): a DAY across a DST change lasts 23 or 25 hours.',
    }),
    figures: t.expose('figures', { type: UsageFiguresRef }),
  }),
});
