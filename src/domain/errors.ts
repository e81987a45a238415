/**
 * Expected failures of domain reads, independent of the surface: REST maps them onto Coder's
 * 400 bodies, GraphQL onto BAD_USER_INPUT errors.
 */

/** A pagination cursor that names no row the caller may see in the list being read. */
export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super('Invalid pagination cursor.');
    this.name = 'InvalidCursorError';
  }
}
