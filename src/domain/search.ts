import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import { isUuid } from './ids.ts';
import { userIdByName } from './users.ts';
import type { InterceptionFilter } from './interception-filter.ts';
import { parseRfc3339, type Validation } from './validation.ts';

/**
 * The `q` search string of the REST list endpoints, as Coder's searchquery package reads it:
 * space-separated `key:value` elements, double quotes group (`model:"gpt 4"`), keys lower-cased,
 * values keep their case, bare words (no `:`) joined into one default term.
 *
 * One deliberate leniency: an element splits at its FIRST unquoted `:`, so values may contain
 * `:` (`started_after:2026-01-01T00:00:00Z` works unquoted; Coder demands quotes there).
 */

/** Keys each endpoint accepts, and what a bare word means there. */
export interface SearchSpec {
  keys: readonly SearchKey[];
  /** The key a bare word fills; null: a bare word is an error (`no search key specified`). */
  bareWordKey: SearchKey | null;
}

export type SearchKey = 'initiator' | 'provider' | 'model' | 'client' | 'session_id' | 'started_after' | 'started_before';

/** Key → every value given for it, in order of appearance. */
export type SearchValues = Map<string, string[]>;

/**
 * Splits `q` into key → values. Structural problems (an element starting or ending with `:`,
 * a bare word where none is allowed) stop at the first one, as Coder does.
 */
export function splitSearch(q: string, bareWordKey: string | null): { values: SearchValues } | { errors: Validation[] } {
  const values: SearchValues = new Map();
  const add = (k: string, v: string) => values.set(k, [...(values.get(k) ?? []), v]);
  const bare: string[] = [];
  for (const element of splitOutsideQuotes(q, ' ')) {
    if (element.startsWith(':') || element.endsWith(':')) {
      return { errors: [{ field: 'q', detail: `Query element ${goQuote(element)} cannot start or end with ':'` }] };
    }
    const colon = firstUnquoted(element, ':');
    if (colon < 0) {
      bare.push(trimQuotes(element));
      continue;
    }
    add(trimQuotes(element.slice(0, colon)).toLowerCase(), trimQuotes(element.slice(colon + 1)));
  }
  if (bare.length > 0) {
    if (bareWordKey === null) return { errors: [{ field: 'q', detail: 'no search key specified' }] };
    add(bareWordKey, bare.join(' '));
  }
  return { values };
}

/**
 * Turns `q` into an interception filter for the keys of `spec`, reporting every invalid
 * key/value together (Coder's QueryParamParser order: the known keys, then unknown ones).
 * `initiator` resolves `me`, a UUID, or a non-deleted username (case-insensitive), which
 * takes one statement when given.
 */
export async function parseInterceptionSearch(
  db: Queryable,
  viewer: Viewer,
  q: string,
  spec: SearchSpec,
): Promise<{ filter: InterceptionFilter } | { errors: Validation[] }> {
  const filter: InterceptionFilter = {};
  if (q === '') return { filter };
  const split = splitSearch(q, spec.bareWordKey);
  if ('errors' in split) return split;
  const values = split.values;
  const errors: Validation[] = [];
  /** Coder's parseQueryParam: empty means absent; more than one value is an error. */
  const single = (key: SearchKey): string | undefined => {
    const vs = values.get(key);
    if (!vs || vs[0] === '') return undefined;
    if (vs.length > 1) {
      errors.push({ field: key, detail: `Query param "${key}" provided more than once, found ${vs.length} times. Only provide 1 instance of this query param.` });
      return undefined;
    }
    return vs[0];
  };
  const has = (key: SearchKey) => spec.keys.includes(key);

  if (has('initiator')) {
    const v = single('initiator');
    if (v !== undefined) {
      const id = await resolveUser(db, viewer, v);
      if (id) filter.initiatorId = id;
      else errors.push({ field: 'initiator', detail: `Query param "initiator" has invalid value: user ${goQuote(v)} either does not exist, or you are unauthorized to view them` });
    }
  }
  if (has('provider')) filter.provider = single('provider');
  if (has('model')) filter.model = single('model');
  if (has('client')) filter.client = single('client');
  if (has('session_id')) filter.sessionId = single('session_id');
  let after: bigint | undefined;
  let before: bigint | undefined;
  for (const key of ['started_after', 'started_before'] as const) {
    if (!has(key)) continue;
    const v = single(key);
    if (v === undefined) continue;
    const t = parseRfc3339(v.toUpperCase());
    if (!t) {
      errors.push({ field: key, detail: `Query param "${key}" must be a valid date format (2006-01-02T15:04:05.999999999Z07:00): parsing time ${goQuote(v.toUpperCase())}: not an RFC 3339 timestamp` });
      continue;
    }
    if (key === 'started_after') {
      filter.startedAfter = t.text;
      after = t.epochNanos;
    } else {
      filter.startedBefore = t.text;
      before = t.epochNanos;
    }
  }
  if (after !== undefined && before !== undefined && before <= after) {
    errors.push({ field: 'started_before', detail: `Query param "started_before" has invalid value: "started_before" must be after "started_after" if set` });
  }
  for (const key of values.keys()) {
    if (!has(key as SearchKey)) errors.push({ field: key, detail: `${goQuote(key)} is not a valid query param` });
  }
  for (const k of Object.keys(filter) as (keyof InterceptionFilter)[]) if (filter[k] === undefined) delete filter[k];
  return errors.length > 0 ? { errors } : { filter };
}

/**
 * `me`, a UUID (taken as is, like Coder), or a non-deleted username; null when unknown. A caller
 * who may not see other users' rows resolves only their own name: otherwise the different answers
 * for an existing and an absent username would tell them who has an account.
 */
export async function resolveUser(db: Queryable, viewer: Viewer, v: string): Promise<string | null> {
  if (v === 'me') return viewer.id;
  if (isUuid(v)) return v.toLowerCase();
  if (!viewer.seesAll) return v.toLowerCase() === viewer.username.toLowerCase() ? viewer.id : null;
  return userIdByName(db, v);
}

/** Go's strings.FieldsFunc with a quote toggle: splits on `sep` outside double quotes, drops empties. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let cur = '';
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === sep) {
      if (cur) parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  return parts;
}

function firstUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (!quoted && s[i] === ch) return i;
  }
  return -1;
}

function trimQuotes(s: string): string {
  return s.replace(/^"+|"+$/g, '');
}

/** Go's %q for the strings that occur here (JSON string syntax matches it for printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
