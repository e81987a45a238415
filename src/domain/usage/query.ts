import type { InterceptionFilter } from '../interception-filter.ts';

export const USAGE_DIMENSIONS = ['INITIATOR', 'MODEL', 'PROVIDER', 'PROVIDER_NAME', 'CLIENT', 'CREDENTIAL_KIND'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];
export const TIME_BUCKETS = ['HOUR', 'DAY', 'WEEK', 'MONTH'] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];
export const USAGE_ORDER_FIELDS = [
  'BUCKET', 'REQUESTS', 'SESSIONS', 'USERS', 'INPUT_TOKENS', 'OUTPUT_TOKENS', 'CACHE_READ_TOKENS', 'CACHE_WRITE_TOKENS',
  'TOTAL_TOKENS', 'COST', 'CACHE_SAVINGS', 'DURATION_P50', 'DURATION_P95', 'UNPRICED_REQUESTS',
] as const;
export type UsageOrderField = (typeof USAGE_ORDER_FIELDS)[number];

export interface UsageQuery {
  filter: InterceptionFilter;
  groupBy: UsageDimension[];
  bucket?: TimeBucket;
  /** IANA zone the buckets are cut in. */
  timeZone: string;
  orderBy?: { field: UsageOrderField; direction: 'ASC' | 'DESC' };
  first?: number;
}

/**
 * Bounds on one usage query. A bounded range is checked before anything runs (buckets), an
 * unbounded one by what the data holds (groups): both are refused rather than truncated.
 */
export const USAGE_LIMITS = { buckets: 1_000, groups: 10_000 } as const;

/** Fixed-length lower bound of each bucket, for counting buckets of a range before running. */
const SHORTEST_MS: Record<TimeBucket, number> = { HOUR: 3_600_000, DAY: 23 * 3_600_000, WEEK: 7 * 86_400_000 - 3_600_000, MONTH: 28 * 86_400_000 - 3_600_000 };

/** At most how many buckets a range from..to holds (the edges may be partial buckets). */
export function maxBuckets(bucket: TimeBucket, fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / SHORTEST_MS[bucket]) + 2;
}

/** Whether PostgreSQL and this process know the zone (Intl knows IANA names and aliases). */
export function isKnownTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
