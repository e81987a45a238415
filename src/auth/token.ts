import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Coder's session token: a 10-character id, a dash, a 22-character secret.
const ID_LENGTH = 10;
const SECRET_LENGTH = 22;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(secret: string, hashed: Uint8Array): boolean {
  const expected = hashSecret(secret);
  return hashed.length === expected.length && timingSafeEqual(expected, hashed);
}

function randomString(length: number): string {
  // Rejection sampling keeps every character equally likely.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

export function newToken(): { id: string; secret: string; token: string } {
  const id = randomString(ID_LENGTH);
  const secret = randomString(SECRET_LENGTH);
  return { id, secret, token: `${id}-${secret}` };
}

/** Splits a token into id and secret, or says what is wrong with it. */
export function splitToken(token: string): { id: string; secret: string } | { problem: string } {
  const parts = token.split('-');
  if (parts.length !== 2) return { problem: `Invalid API key format: expected 2 parts separated by "-", got ${parts.length}.` };
  const [id, secret] = parts as [string, string];
  if (id.length !== ID_LENGTH) return { problem: `Invalid API key format: the id must be ${ID_LENGTH} characters.` };
  if (secret.length !== SECRET_LENGTH) return { problem: `Invalid API key format: the secret must be ${SECRET_LENGTH} characters.` };
  return { id, secret };
}
