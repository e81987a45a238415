import type { InterceptionFilter } from '../../domain/interception-filter.ts';
import { resolveUser } from '../../domain/search.ts';
import { parseRfc3339 } from '../../domain/validation.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { ErrorTypeEnum } from './error-type.ts';

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
    errorTypes: t.field({
      type: [ErrorTypeEnum],
      description: 'Only failed interceptions with one of these error types. Over a database that records no errors, nothing matches.',
    }),
    failedOnly: t.boolean({ description: 'Only failed interceptions (any error type). Over a database that records no errors, nothing matches.' }),
  }),
});

export type InterceptionFilterArg = typeof InterceptionFilterInput.$inferInput;

/** The input as the domain filter; names a user that does not exist → BAD_USER_INPUT. */
export async function toFilter({ db, viewer, schema }: GraphQLContext, input: InterceptionFilterArg | null | undefined): Promise<InterceptionFilter> {
  if (!input) return {};
  const f: InterceptionFilter = { includeInFlight: input.includeInFlight ?? false };
  if (input.failedOnly || input.errorTypes != null) {
    // failedOnly: false with no types asks for nothing in particular.
    const recorded = (await schema.current()).interceptionErrors;
    if (input.errorTypes != null) f.failed = { types: input.errorTypes, recorded };
    else if (input.failedOnly) f.failed = { recorded };
  }
  for (const key of ['provider', 'providerName', 'model', 'client', 'sessionId', 'startedAfter', 'startedBefore'] as const) {
    const v = input[key];
    if (v != null) f[key] = v;
  }
  // Upper-cased as REST does: the DateTime scalar also accepts a lower-case `t` and `z`.
  const after = f.startedAfter === undefined ? undefined : parseRfc3339(f.startedAfter.toUpperCase());
  const before = f.startedBefore === undefined ? undefined : parseRfc3339(f.startedBefore.toUpperCase());
  if (after && before && before.epochNanos <= after.epochNanos) {
    throw badInput('"startedBefore" must be after "startedAfter".', 'filter.startedBefore');
  }
  if (input.initiator != null) {
    // The same resolution as REST's `initiator:` search key.
    const id = await resolveUser(db, viewer, input.initiator.trim());
    if (!id) throw badInput(`User ${JSON.stringify(input.initiator)} either does not exist, or you are unauthorized to view them.`, 'filter.initiator');
    f.initiatorId = id;
  }
  return f;
}
