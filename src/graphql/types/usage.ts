import { GraphQLError } from 'graphql';
import { UsageInputError, UsageTooLargeError } from '../../domain/usage/errors.ts';
import { TIME_BUCKETS, USAGE_DIMENSIONS, USAGE_LIMITS, USAGE_ORDER_FIELDS } from '../../domain/usage/query.ts';
import { type UsageParts, type UsageReport, usageReport } from '../../domain/usage/report.ts';
import { priceBook } from '../../prices/book.ts';
import { rolledUsageReport } from '../../rollups/read.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { selectedNames } from '../selection.ts';
import { InterceptionFilterInput, toFilter } from './interception-filter.ts';
import { UsageFiguresRef } from './usage-figures.ts';
import { UsageGroupRef } from './usage-group.ts';

const DESCRIPTIONS: Record<(typeof USAGE_DIMENSIONS)[number], string> = {
  INITIATOR: 'The user who made the request.',
  MODEL: 'The requested model.',
  PROVIDER: 'Provider type (`anthropic`, `openai`, `copilot`…).',
  PROVIDER_NAME: 'Provider instance name.',
  CLIENT: 'Client; no client and `Unknown` are one key.',
  CREDENTIAL_KIND: 'Centralized key or BYOK.',
};

const UsageDimensionEnum = builder.enumType('UsageDimension', {
  description: 'A dimension usage can be grouped by.',
  values: Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, { description: DESCRIPTIONS[d] }])) as Record<(typeof USAGE_DIMENSIONS)[number], { description: string }>,
});

export const TimeBucketEnum = builder.enumType('TimeBucket', {
  description: 'A calendar bucket in the query\'s time zone: HOUR is a real hour, DAY/WEEK (ISO, from Monday)/MONTH start at local midnight.',
  values: TIME_BUCKETS,
});

const UsageOrderFieldEnum = builder.enumType('UsageOrderField', {
  description: 'What groups are ordered by; ties go by bucket, then by key.',
  values: USAGE_ORDER_FIELDS,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });

const UsageOrderInput = builder.inputType('UsageOrder', {
  fields: (t) => ({
    field: t.field({ type: UsageOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'DESC' }),
  }),
});

const UsageReportRef = builder.objectRef<UsageReport>('UsageReport');

UsageReportRef.implement({
  description: 'Usage of the interceptions matching a filter: totals over all of them, and figures per group.',
  fields: (t) => ({
    totals: t.field({
      type: UsageFiguresRef,
      description: 'Over every matching interception (not only the `first` groups).',
      // Computed whenever selected (see partsOf).
      resolve: (r) => r.totals!,
    }),
    groups: t.expose('groups', {
      type: [UsageGroupRef],
      description: 'One entry per group; with a bucket and both filter bounds, every bucket of the range is present (zero figures where empty). Empty without groupBy and bucket.',
    }),
  }),
});

builder.queryFields((t) => ({
  usage: t.field({
    type: UsageReportRef,
    description:
      'Usage and spend of the interceptions the caller may see (a member: only their own), grouped by dimensions and/or a time bucket. '
      + `At most ${USAGE_LIMITS.buckets} buckets per range and ${USAGE_LIMITS.groups} groups (QUERY_TOO_COMPLEX beyond).`,
    args: {
      filter: t.arg({ type: InterceptionFilterInput, required: false }),
      groupBy: t.arg({ type: [UsageDimensionEnum], required: false }),
      bucket: t.arg({ type: TimeBucketEnum, required: false }),
      timeZone: t.arg.string({ defaultValue: 'UTC', description: 'IANA time zone the buckets are cut in.' }),
      orderBy: t.arg({ type: UsageOrderInput, required: false, description: 'Default: by bucket, then key.' }),
      first: t.arg.int({ required: false, description: 'Only the first N groups in order (top N).' }),
    },
    // Each usage field reads every matching interception: a document holds at most a few.
    complexity: USAGE_COMPLEXITY,
    resolve: async (_root, args, ctx, info) => {
      const filter = await toFilter(ctx, args.filter);
      const parts = partsOf(info);
      try {
        const query = {
          filter,
          groupBy: args.groupBy ?? [],
          bucket: args.bucket ?? undefined,
          timeZone: args.timeZone ?? 'UTC',
          orderBy: args.orderBy ? { field: args.orderBy.field, direction: args.orderBy.direction ?? 'DESC' } : undefined,
          first: args.first ?? undefined,
        };
        // Roll-ups of closed hours live in the gateway's store (src/rollups); without one, live.
        return ctx.prisma
          ? await rolledUsageReport(ctx.db, ctx.prisma, ctx.rollups, ctx.viewer, priceBook(ctx.prisma, ctx), query, parts)
          : await usageReport(ctx.db, ctx.viewer, priceBook(ctx.prisma, ctx), query, parts);
      } catch (err) {
        if (err instanceof UsageInputError) throw badInput(err.message, err.argument);
        if (err instanceof UsageTooLargeError) {
          throw new GraphQLError(err.message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit: err.limit, value: err.value, max: err.max } });
        }
        throw err;
      }
    },
  }),
}));

/** A fifth of the document limit (LIMITS.complexity): at most four usage fields per document. */
export const USAGE_COMPLEXITY = 20_000;

const USAGE_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'cacheHitRatio', 'cost'];
const TOOL_FIELDS = ['toolCalls', 'injectedToolCalls', 'toolErrors'];

/** What the selection needs computed: each part costs a sort or a join at scale. */
function partsOf(info: Parameters<typeof selectedNames>[0]): UsageParts {
  const { top, all } = selectedNames(info);
  return {
    totals: top.has('totals'),
    groups: top.has('groups'),
    sessions: all.has('sessions'),
    users: all.has('users'),
    durations: all.has('durationMs'),
    usages: USAGE_FIELDS.some((f) => all.has(f)),
    unpriced: all.has('unpricedRequests'),
    sources: all.has('sources'),
    tools: TOOL_FIELDS.some((f) => all.has(f)),
  };
}
