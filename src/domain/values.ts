import { parseRfc3339 } from './validation.ts';

/**
 * Conversions from PostgreSQL's text output (see src/db/db.ts) to what Coder's API prints, and
 * the one reading of that text as an instant.
 */

/** A timestamptz as this connection prints it (UTC, microseconds at most): what cursors carry. */
const PG_UTC_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$/;

export const isTimestampText = (v: unknown): v is string => typeof v === 'string' && PG_UTC_TIMESTAMP.test(v);

/** PostgreSQL timestamp text → epoch milliseconds, the sub-millisecond digits kept as a fraction. */
export function epochMillis(pgTimestamp: string): number {
  const t = parseRfc3339(rfc3339(pgTimestamp));
  if (!t) throw new Error(`unexpected timestamp text: ${pgTimestamp}`);
  return Number(t.epochNanos) / 1e6;
}

/**
 * `2026-04-01 12:34:56.789012+00` → `2026-04-01T12:34:56.789012Z`. PostgreSQL already trims
 * trailing zeros of the fraction and drops a zero fraction, as Go's RFC3339Nano does; the
 * connection runs in UTC (src/db/postgres.ts, src/db/pglite.ts).
 */
export function rfc3339(pgTimestamp: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)(?:\+00(?::00)?)?$/.exec(pgTimestamp);
  if (!m) throw new Error(`unexpected timestamp text: ${pgTimestamp}`);
  return `${m[1]}T${m[2]}Z`;
}

export function rfc3339OrNull(pgTimestamp: string | null | undefined): string | null {
  return pgTimestamp == null ? null : rfc3339(pgTimestamp);
}

/**
 * Earliest / latest of PostgreSQL timestamp texts (UTC, as this connection prints them), nulls
 * ignored; null when none. The texts compare correctly as strings: fixed-width date and time,
 * then either `+00` or a trimmed fraction (`.` sorts after `+`, digits after both).
 */
export function earliestTimestamp(pg: readonly (string | null)[]): string | null {
  return pg.reduce<string | null>((min, t) => (t !== null && (min === null || t < min) ? t : min), null);
}

export function latestTimestamp(pg: readonly (string | null)[]): string | null {
  return pg.reduce<string | null>((max, t) => (t !== null && (max === null || t > max) ? t : max), null);
}
