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
