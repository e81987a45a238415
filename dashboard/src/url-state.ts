import type { InterceptionFilter, TimeBucket } from './generated/graphql';

/**
 * Everything a view depends on lives in the URL's query string, so a link shows the same view
 * (range, time zone, filters, stacking, the open session). Relative ranges (`7d`) stay relative:
 * a shared "last 7 days" means the last 7 days for whoever opens it.
 */
export interface ViewState {
  range: RangeKey;
  /** Custom range bounds (ISO instants), with range=custom. */
  from?: string;
  to?: string;
  tz: string;
  initiator?: string;
  provider?: string;
  model?: string;
  client?: string;
  stack: 'model' | 'provider';
  /** The session whose threads are open. */
  session?: string;
}

export const RANGES = { '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days', custom: 'Custom' } as const;
export type RangeKey = keyof typeof RANGES;
const RANGE_HOURS: Record<Exclude<RangeKey, 'custom'>, number> = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24, '90d': 90 * 24 };

/** The filter fields a user sets; each is the InterceptionFilter field of the same name. */
export const FILTER_KEYS = ['initiator', 'provider', 'model', 'client'] as const;

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Whether the browser knows an IANA zone name (an unknown one would throw in every date format). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function readState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const range = p.get('range') ?? '30d';
  const state: ViewState = {
    range: range in RANGES ? (range as RangeKey) : '30d',
    // A mistyped zone in a shared link falls back to this browser's, rather than breaking the page.
    tz: isTimeZone(p.get('tz') ?? '') ? p.get('tz')! : browserTimeZone(),
    stack: p.get('stack') === 'provider' ? 'provider' : 'model',
  };
  for (const key of [...FILTER_KEYS, 'from', 'to', 'session'] as const) {
    const v = p.get(key);
    if (v) state[key] = v;
  }
  if (state.range === 'custom' && !(state.from && state.to && isInstant(state.from) && isInstant(state.to))) state.range = '30d';
  if (state.range !== 'custom') {
    delete state.from;
    delete state.to;
  }
  return state;
}

export function writeState(state: ViewState): string {
  const p = new URLSearchParams();
  p.set('range', state.range);
  if (state.range === 'custom' && state.from && state.to) {
    p.set('from', state.from);
    p.set('to', state.to);
  }
  p.set('tz', state.tz);
  for (const key of FILTER_KEYS) if (state[key]) p.set(key, state[key]);
  if (state.stack !== 'model') p.set('stack', state.stack);
  if (state.session) p.set('session', state.session);
  return `?${p.toString()}`;
}

const isInstant = (s: string) => !Number.isNaN(Date.parse(s));

/** The range's bounds: relative ranges end now. */
export function bounds(state: ViewState, now: Date): { after: Date; before: Date } {
  if (state.range === 'custom' && state.from && state.to) return { after: new Date(state.from), before: new Date(state.to) };
  const hours = RANGE_HOURS[state.range as Exclude<RangeKey, 'custom'>] ?? 30 * 24;
  return { after: new Date(now.getTime() - hours * 3_600_000), before: now };
}

/** Hours up to 3 days, days up to 3 months, weeks beyond (months past 3 years): 24 to ~150 bars. */
export function bucketFor(after: Date, before: Date): TimeBucket {
  const days = (before.getTime() - after.getTime()) / 86_400_000;
  if (days <= 3) return 'HOUR';
  if (days <= 92) return 'DAY';
  if (days <= 3 * 366) return 'WEEK';
  return 'MONTH';
}

/** The API's filter for a view, field for field: the page adds no filtering of its own. */
export function toFilter(state: ViewState, now: Date): InterceptionFilter {
  const { after, before } = bounds(state, now);
  const filter: InterceptionFilter = { startedAfter: after.toISOString(), startedBefore: before.toISOString() };
  for (const key of FILTER_KEYS) if (state[key]) filter[key] = state[key];
  return filter;
}

/** Midnight today in a time zone, as an instant (for today's totals). */
export function startOfToday(tz: string, now: Date): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(now)
      .map((x) => [x.type, x.value]),
  );
  // The zone's offset now, from the wall-clock reading of `now` in it; exact except in the hour a DST change happens.
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offset = wall - Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day) - offset);
}
