/**
 * Identifier checks shared by every surface: Coder's UUIDs are accepted in any case and stored
 * lower-case, so each check comes with the normal form.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: string): boolean {
  return UUID.test(v);
}

/** A UUID in a value of unknown type (decoded cursors). */
export function isUuidValue(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}

/** The UUIDs among `ids`, lower-cased (what PostgreSQL prints), others dropped. */
export function uuidsOnly(ids: readonly string[]): string[] {
  return ids.filter(isUuid).map((id) => id.toLowerCase());
}
