/**
 * Input checks shared by the surfaces (the REST query parameters, GraphQL arguments).
 */

/** One invalid input, as Coder reports it: `{"field","detail"}`. */
export interface Validation {
  field: string;
  detail: string;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):(\d\d))$/;

/**
 * Parses an RFC 3339 timestamp as Go's time.RFC3339Nano layout accepts it (upper-case `T`/`Z`,
 * at most nanoseconds, real calendar dates). Returns the text for PostgreSQL and the instant in
 * epoch nanoseconds (a JS Date would drop the sub-millisecond part that ordering needs).
 */
export function parseRfc3339(s: string): { text: string; epochNanos: bigint } | null {
  const m = RFC3339.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = utc(year, month, 0).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const epochMs = utc(year, month - 1, day, hour, minute, second).getTime() - offsetMinutes * 60_000;
  const fraction = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  return { text: s, epochNanos: BigInt(epochMs) * 1_000_000n + fraction };
}

/** A UTC date; unlike Date.UTC, years 0-99 stay themselves. */
function utc(year: number, monthIndex: number, day: number, h = 0, m = 0, s = 0): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  d.setUTCHours(h, m, s, 0);
  return d;
}

/**
 * A base-10 integer parameter in [0, 2^31), as Coder's PositiveInt32 reads it; the error text
 * follows Go's strconv messages.
 */
export function parseNonNegativeInt32(v: string): { value: number } | { error: string } {
  if (!/^[+-]?\d+$/.test(v)) return { error: `strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax` };
  const n = BigInt(v);
  if (n > 2147483647n || n < -2147483648n) return { error: `strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range` };
  if (n < 0n) return { error: 'value is negative' };
  return { value: Number(n) };
}
