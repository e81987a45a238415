/** A usage query the caller must change (unknown zone, repeated dimension…): BAD_USER_INPUT. */
export class UsageInputError extends Error {
  constructor(message: string, readonly argument: string) {
    super(message);
    this.name = 'UsageInputError';
  }
}

/** A usage query over the bounds of USAGE_LIMITS: QUERY_TOO_COMPLEX. */
export class UsageTooLargeError extends Error {
  constructor(message: string, readonly limit: 'buckets' | 'groups', readonly value: number, readonly max: number) {
    super(message);
    this.name = 'UsageTooLargeError';
  }
}

/**
 * Rethrows a failed report statement; PostgreSQL's "time zone not recognized" (22023) becomes
 * the caller's UsageInputError: Intl and PostgreSQL's zone databases can differ on rare names,
 * and PostgreSQL's word is final.
 */
export function rethrowZoneError(err: unknown, zone: string): never {
  if ((err as { code?: string }).code === '22023' && /time zone/i.test((err as Error).message)) {
    throw new UsageInputError(`Unknown time zone ${JSON.stringify(zone)}.`, 'timeZone');
  }
  throw err;
}
