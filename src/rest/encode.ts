/**
 * JSON written the way Coder's Go server writes it, so byte-level consumers see no difference:
 * - object fields in the order the value was built (the Go struct order); `undefined` fields are
 *   omitted (Go's `omitempty`);
 * - 64-bit counters printed from their exact decimal text (`JsonInt`), never through a double;
 * - metadata maps (`GoMap`) with keys sorted at every depth, as encoding/json sorts map keys;
 * - `<`, `>`, `&`, U+2028 and U+2029 escaped (Go's default HTML-safe escaping);
 * - a trailing newline (json.Encoder.Encode).
 */

/** A 64-bit integer given as decimal text, written as a JSON number. */
export class JsonInt {
  constructor(readonly text: string) {
    if (!/^-?\d+$/.test(text)) throw new Error(`not an integer: ${text}`);
  }
}

/** A JSON value decoded into a Go map[string]any: its object keys are written sorted. */
export class GoMap {
  constructor(readonly value: unknown) {}
}

export function encodeCoderJson(value: unknown): string {
  return `${write(value, false)}\n`;
}

function write(v: unknown, sortKeys: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof JsonInt) return v.text;
  if (v instanceof GoMap) return write(v.value, true);
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => write(x, sortKeys)).join(',')}]`;
      let keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
      if (sortKeys) keys = keys.sort();
      return `{${keys.map((k) => `${goString(k)}:${write((v as Record<string, unknown>)[k], sortKeys)}`).join(',')}}`;
    }
    default:
      throw new Error(`cannot encode ${typeof v}`);
  }
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]);
}
