import type { InterceptionFilter } from '../../domain/interceptions.ts';
import { isUuid } from '../../domain/interceptions.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badInput } from '../errors.ts';

export const InterceptionFilterInput = builder.inputType('InterceptionFilter', {
  description: 'Narrows interceptions (and the sessions built from them). Every field is an exact match; all given fields must hold.',
  fields: (t) => ({
    initiator: t.string({ description: 'A user UUID, a username (case-insensitive, non-deleted users) or `me`.' }),
    provider: t.string({ description: 'Provider type, e.g. `anthropic`, `openai`.' }),
    providerName: t.string({ description: 'Provider instance name, e.g. `copilot-business`.' }),
    model: t.string({ description: 'Model name.' }),
    client: t.string({ description: 'Client name; `Unknown` also matches interceptions without a client.' }),
    sessionId: t.string({ description: 'Session id (client session id, thread root id or interception id).' }),
    startedAfter: t.field({ type: 'DateTime', description: 'Started at or after this instant (inclusive).' }),
    startedBefore: t.field({ type: 'DateTime', description: 'Started at or before this instant (inclusive).' }),
    includeInFlight: t.boolean({
      defaultValue: false,
      description: 'Include interceptions still in flight (no endedAt). REST never shows them.',
    }),
  }),
});

export type InterceptionFilterArg = typeof InterceptionFilterInput.$inferInput;

/** The input as the domain filter; names a user that does not exist → BAD_USER_INPUT. */
export async function toFilter({ db, viewer }: GraphQLContext, input: InterceptionFilterArg | null | undefined): Promise<InterceptionFilter> {
  if (!input) return {};
  const f: InterceptionFilter = { includeInFlight: input.includeInFlight ?? false };
  for (const key of ['provider', 'providerName', 'model', 'client', 'sessionId', 'startedAfter', 'startedBefore'] as const) {
    const v = input[key];
    if (v != null) f[key] = v;
  }
  if (f.startedAfter && f.startedBefore && Date.parse(f.startedBefore) <= Date.parse(f.startedAfter)) {
    throw badInput('"startedBefore" must be after "startedAfter".', 'filter.startedBefore');
  }
  if (input.initiator != null) {
    const who = input.initiator.trim();
    if (who.toLowerCase() === 'me') f.initiatorId = viewer.id;
    else if (isUuid(who)) f.initiatorId = who.toLowerCase();
    else {
      const [u] = await db.query<{ id: string }>(`SELECT id FROM users WHERE lower(username) = lower($1) AND NOT deleted`, [who]);
      if (!u) throw badInput(`User "${who}" either does not exist, or you are unauthorized to view them.`, 'filter.initiator');
      f.initiatorId = u.id;
    }
  }
  return f;
}
