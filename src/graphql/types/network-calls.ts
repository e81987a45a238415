import { networkCallLogs, type DomainCount, type NetworkCallCursor, type NetworkCallLog, type NetworkCalls } from '../../domain/network-calls.ts';
import { isUuidValue } from '../../domain/ids.ts';
import { isTimestampText } from '../../domain/values.ts';
import { NETWORK_CALL_PAGE, TOP_DOMAINS } from '../../limits.ts';
import { builder } from '../builder.ts';
import { branded } from '../node-brand.ts';
import { currentLoaders } from '../current-loaders.ts';
import { badInput } from '../errors.ts';
import { connection, keysetArgs, pageComplexity } from '../pagination.ts';
import { SessionRef } from './session.ts';

/**
 * A session's Agent Firewall network calls, by Coder's window rules (src/domain/network-calls.ts).
 * Everything here is null or empty for a session the firewall never saw, and over a database
 * older than the firewall tables.
 */

export const NetworkCallsRef = builder.objectRef<NetworkCalls>('NetworkCalls').implement({
  description: "Counts of a session's network calls through the Agent Firewall.",
  fields: (t) => ({
    total: t.exposeInt('total', { description: 'Every call, all protocols.' }),
    blocked: t.exposeInt('blocked', { description: 'Calls no rule allowed.' }),
  }),
});

export const NetworkCallLogRef = builder.objectRef<NetworkCallLog>('NetworkCallLog');

builder.node(NetworkCallLogRef, {
  description: 'One network event the Agent Firewall recorded during a request.',
  id: { resolve: (l) => l.id },
  brandLoadedObjects: false,
  loadMany: (ids, ctx) => branded(NetworkCallLogRef, currentLoaders(ctx).networkCallLogs.loadMany(ids.map((id) => id.toLowerCase())).then((rows) => rows.map((r) => (r instanceof Error ? null : r)))),
  fields: (t) => ({
    uuid: t.expose('id', { type: 'UUID', description: 'Row id (REST `id`).' }),
    firewallSessionId: t.expose('sessionId', { type: 'UUID', description: 'The Agent Firewall (boundary) session (REST `session_id`).' }),
    sequenceNumber: t.exposeInt('sequenceNumber', { description: "Position in the firewall session's events." }),
    allowed: t.exposeBoolean('allowed', { description: 'Whether a rule allowed the call.' }),
    proto: t.exposeString('proto', { description: 'Protocol, e.g. `http` or `dns`.' }),
    method: t.exposeString('method', { description: 'HTTP method or DNS query type.' }),
    detail: t.exposeString('detail', { description: 'The URL (http) or name (dns).' }),
    matchedRule: t.exposeString('matchedRule', { nullable: true, description: 'The rule that allowed it; null when blocked.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was recorded.' }),
    capturedAt: t.expose('capturedAt', { type: 'DateTime', description: 'When the firewall saw it.' }),
  }),
});

export const DomainCountRef = builder.objectRef<DomainCount>('DomainCount').implement({
  description: 'A domain and how many http calls went to it.',
  fields: (t) => ({
    domain: t.exposeString('domain', { description: 'The host, without scheme, port, path, query or fragment.' }),
    count: t.exposeInt('count', { description: 'Calls to it.' }),
  }),
});

export const NetworkCallLogConnectionRef = builder.connectionObject({
  type: NetworkCallLogRef,
  name: 'NetworkCallLogConnection',
  description: 'A page of network calls, oldest first (createdAt, sequenceNumber, id).',
});

function isNetworkCallCursor(v: unknown): v is NetworkCallCursor {
  const c = v as NetworkCallCursor;
  return typeof v === 'object' && v !== null && isTimestampText(c.createdAt) && Number.isInteger(c.sequenceNumber) && isUuidValue(c.id);
}

builder.objectFields(SessionRef, (t) => ({
  networkCalls: t.field({
    type: NetworkCallsRef,
    nullable: true,
    description: 'Network calls through the Agent Firewall (REST `network_calls`); null when the firewall never saw the session.',
    resolve: (s, _args, ctx) => currentLoaders(ctx).networkCalls.load(s),
  }),
  networkCallLogs: t.connection(
    {
      type: NetworkCallLogRef,
      description: "The session's network calls, oldest first: every one, page by page (REST lists the first 1000).",
      complexity: pageComplexity(NETWORK_CALL_PAGE),
      resolve: async (s, args, ctx) => {
        const page = keysetArgs(args, NETWORK_CALL_PAGE, isNetworkCallCursor);
        // Sibling sessions of a list share one read for their first pages (currentLoaders.networkCallLogPages).
        const result =
          page.after || page.before
            ? await networkCallLogs(ctx.db, await ctx.schema.current(), ctx.viewer, s, page)
            : await currentLoaders(ctx).networkCallLogPages.load({ session: s, limit: page.limit, fromEnd: Boolean(page.fromEnd) });
        const total = async () => (await currentLoaders(ctx).networkCalls.load(s))?.total ?? 0;
        return connection(page, result, (l) => ({ createdAt: l.createdAt, sequenceNumber: l.sequenceNumber, id: l.id }), total);
      },
    },
    NetworkCallLogConnectionRef,
  ),
  topDomains: t.field({
    type: [DomainCountRef],
    description: 'The most called domains (http calls), most calls first, then by domain.',
    args: { first: t.arg.int({ defaultValue: TOP_DOMAINS.default, description: `At most this many (0 to ${TOP_DOMAINS.max}).` }) },
    resolve: async (s, args, ctx) => {
      const limit = args.first ?? TOP_DOMAINS.default;
      if (limit < 0 || limit > TOP_DOMAINS.max) throw badInput(`"first" must be between 0 and ${TOP_DOMAINS.max}.`, 'first');
      return (await currentLoaders(ctx).topDomains.load({ session: s, limit })).domains;
    },
  }),
  domainCount: t.field({
    type: 'Int',
    description: 'Distinct domains called over http (REST `network_domain_count`); 0 when none.',
    resolve: async (s, _args, ctx) => (await currentLoaders(ctx).topDomains.load({ session: s, limit: 0 })).domainCount,
  }),
}));
