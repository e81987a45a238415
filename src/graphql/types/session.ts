import type { GraphQLResolveInfo } from 'graphql';
import { inSnapshot } from '../../db/db.ts';
import { InvalidCursorError } from '../../domain/errors.ts';
import type { PageResult } from '../../domain/paging.ts';
import type { InterceptionFilter } from '../../domain/interception-filter.ts';
import {
  countSessions,
  findSession,
  listSessions,
  sessionCursorOf,
  type SessionCursor,
  type SessionKey,
  type SessionRow,
} from '../../domain/sessions.ts';
import { listThreads, type ThreadRow } from '../../domain/threads.ts';
import { builder } from '../builder.ts';
import { branded } from '../node-brand.ts';
import type { GraphQLContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { loaders } from '../loaders.ts';
import { selectsField } from '../selects-field.ts';
import {
  type ConnectionArgs,
  connection,
  keysetArgs,
  once,
  pageComplexity,
} from '../pagination.ts';
import { INTERCEPTION_PAGE, SESSION_PAGE, THREAD_PAGE } from '../../limits.ts';
import { isUuidValue } from '../../domain/ids.ts';
import { isTimestampText } from '../../domain/values.ts';
import { InterceptionConnectionRef, interceptionConnection, InterceptionRef } from './interception.ts';
import { InterceptionFilterInput, toFilter } from './interception-filter.ts';
import { TokenUsageSummaryRef } from './token-usage-summary.ts';
import { ThreadConnectionRef, ThreadRef } from './thread.ts';
import { UserRef } from './user.ts';

/** A session as served: whether in-flight interceptions count travels with it to its threads. */
export type SessionNode = SessionRow & { includeInFlight: boolean };

const withScope = (includeInFlight: boolean) => (s: SessionRow | null | Error) =>
  s && !(s instanceof Error) ? { ...s, includeInFlight } : null;

/** Global ids carry the group key: the initiator's UUID (fixed length) first, then the session id. */
function parseSessionKey(id: string): SessionKey | null {
  const initiatorId = id.slice(0, 36);
  return isUuidValue(initiatorId) && id[36] === ':' ? { initiatorId: initiatorId.toLowerCase(), sessionId: id.slice(37) } : null;
}

export const SessionRef = builder.objectRef<SessionNode>('Session');

builder.node(SessionRef, {
  description: "The interceptions sharing a session id and an initiator: one user's working session with an AI tool.",
  id: { resolve: (s) => `${s.initiatorId}:${s.sessionId}` },
  // Node lookups cover completed interceptions, as REST does; an invisible session is null.
  brandLoadedObjects: false,
  loadMany: (ids, ctx) => {
    const sessions = loaders(ctx).sessions();
    return branded(SessionRef, Promise.all(ids.map(parseSessionKey).map(async (k) => (k ? withScope(false)(await sessions.load(k)) : null))));
  },
  fields: (t) => ({
    sessionId: t.exposeString('sessionId', { description: 'The session id (REST `id`): client session id, thread root id or interception id.' }),
    initiator: t.field({
      type: UserRef,
      description: 'The user whose session this is.',
      resolve: async (s, _args, ctx) => (await loaders(ctx).users.load(s.initiatorId))!,
    }),
    providers: t.exposeStringList('providers', { description: 'Distinct providers used, sorted.' }),
    models: t.exposeStringList('models', { description: 'Distinct models used, sorted.' }),
    client: t.exposeString('client', { nullable: true, description: 'Client of the earliest interception; null when unknown.' }),
    metadata: t.expose('metadata', { type: 'JSON', nullable: true, description: 'Metadata of the earliest interception.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'Earliest start (of the interceptions matching the list filter).' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true, description: 'Latest end (of the interceptions matching the list filter).' }),
    lastActiveAt: t.expose('lastActiveAt', { type: 'DateTime', description: 'Newest prompt time, else the start: the list order.' }),
    lastPrompt: t.exposeString('lastPrompt', { nullable: true, description: 'Text of the newest prompt; null when none.' }),
    threadCount: t.exposeInt('threadCount', { description: 'Threads among the interceptions matching the list filter (REST `threads`).' }),
    tokenUsageSummary: t.field({
      type: TokenUsageSummaryRef,
      description: 'Token usage summed over every interception of the session (all threads, not just a page).',
      resolve: (s) => s.tokenUsage,
    }),
    threads: t.connection(
      {
        type: ThreadRef,
        description: 'Threads of the session, oldest first. Cursors also accept any interception of the session (as REST).',
        complexity: pageComplexity(THREAD_PAGE),
        resolve: (s, args, ctx) => threadConnection(ctx, s, args),
      },
      ThreadConnectionRef,
    ),
    interceptions: t.connection(
      {
        type: InterceptionRef,
        description: "The session's interceptions, newest first.",
        complexity: pageComplexity(INTERCEPTION_PAGE),
        resolve: (s, args, ctx, info) =>
          interceptionConnection(ctx, { sessionId: s.sessionId, initiatorId: s.initiatorId, includeInFlight: s.includeInFlight }, args, info, {
            initiatorId: s.initiatorId,
            sessionId: s.sessionId,
          }),
      },
      InterceptionConnectionRef,
    ),
  }),
});

async function threadConnection(ctx: GraphQLContext, s: SessionNode, args: ConnectionArgs) {
  const page = keysetArgs(args, THREAD_PAGE, isUuidValue);
  const scope = { includeInFlight: s.includeInFlight };
  let result: PageResult<ThreadRow>;
  if (page.after || page.before) {
    try {
      result = await listThreads(ctx.db, ctx.viewer, s, page, scope);
    } catch (err) {
      if (err instanceof InvalidCursorError) throw badInput('Invalid pagination cursor.', page.after ? 'after' : 'before');
      throw err;
    }
  } else {
    // Sibling sessions of a list share one read (see loaders.threadPages).
    result = await loaders(ctx).threadPages.load({ session: s, limit: page.limit, fromEnd: page.fromEnd, ...scope });
  }
  const threads = { rows: result.rows.map((th) => ({ ...th, ...scope })), hasMore: result.hasMore };
  return connection(page, threads, (th) => th.id, once(() => loaders(ctx).threadCounts(s.includeInFlight).load(s)));
}

function isSessionCursor(v: unknown): v is SessionCursor {
  const c = v as SessionCursor;
  return typeof v === 'object' && v !== null && isTimestampText(c.lastActiveAt) && typeof c.sessionId === 'string' && isUuidValue(c.initiatorId);
}

export const SessionConnectionRef = builder.connectionObject({
  type: SessionRef,
  name: 'SessionConnection',
  description: 'A page of sessions, most recently active first.',
});

/** A page of sessions; with totalCount selected, the page and the count read one snapshot (they agree while rows are written). */
async function sessionConnection(ctx: GraphQLContext, filter: InterceptionFilter, args: ConnectionArgs, info: GraphQLResolveInfo) {
  const page = keysetArgs(args, SESSION_PAGE, isSessionCursor);
  let result: PageResult<SessionRow>;
  let totalCount = once(() => countSessions(ctx.db, ctx.viewer, filter));
  if (selectsField(info, 'totalCount')) {
    const [list, count] = await inSnapshot(ctx.db, (q) => Promise.all([listSessions(q, ctx.viewer, filter, page), countSessions(q, ctx.viewer, filter)]));
    result = list;
    totalCount = () => Promise.resolve(count);
  } else {
    result = await listSessions(ctx.db, ctx.viewer, filter, page);
  }
  const rows = { rows: result.rows.map(withScope(Boolean(filter.includeInFlight))).filter((s) => s !== null), hasMore: result.hasMore };
  return connection(page, rows, sessionCursorOf, totalCount);
}

builder.queryFields((t) => ({
  sessions: t.connection(
    {
      type: SessionRef,
      description:
        'Sessions the caller may see, most recently active first. The filter selects interceptions before grouping; ' +
        'startedAt, endedAt, threadCount and lastActiveAt cover the matching ones, the rest the whole session.',
      args: { filter: t.arg({ type: InterceptionFilterInput, required: false }) },
      complexity: pageComplexity(SESSION_PAGE),
      resolve: async (_root, args, ctx, info) => sessionConnection(ctx, await toFilter(ctx, args.filter), args, info),
    },
    SessionConnectionRef,
  ),
  session: t.field({
    type: SessionRef,
    nullable: true,
    description: 'One session by session id, or by the UUID of any of its interceptions; null when absent or not visible.',
    args: { id: t.arg.string({ required: true, description: 'A session id or an interception UUID.' }) },
    resolve: async (_root, args, ctx) => {
      const key = await findSession(ctx.db, ctx.viewer, args.id);
      return key ? withScope(false)(await loaders(ctx).sessions().load(key)) : null;
    },
  }),
}));

builder.objectFields(UserRef, (t) => ({
  sessions: t.connection(
    {
      type: SessionRef,
      description: "This user's sessions the caller may see, most recently active first.",
      args: { filter: t.arg({ type: InterceptionFilterInput, required: false }) },
      complexity: pageComplexity(SESSION_PAGE),
      resolve: async (user, args, ctx, info) => sessionConnection(ctx, { ...(await toFilter(ctx, args.filter)), initiatorId: user.id }, args, info),
    },
    SessionConnectionRef,
  ),
}));

builder.objectField(InterceptionRef, 'session', (t) =>
  t.field({
    type: SessionRef,
    nullable: true,
    description: 'The session this interception belongs to (completed interceptions); null if none is completed yet.',
    resolve: async (i, _args, ctx) => withScope(false)(await loaders(ctx).sessions().load({ sessionId: i.sessionId, initiatorId: i.initiatorId })),
  }),
);
