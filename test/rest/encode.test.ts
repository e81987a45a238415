import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCoderJson, GoMap, JsonInt } from '../../src/rest/encode.ts';

/**
 * encodeCoderJson writes through native JSON.stringify with fallbacks (src/rest/encode.ts). The
 * reference below is the field-by-field writer it replaced, the one the golden REST tests were
 * written against: on any value both must give the same bytes.
 */
function reference(value: unknown): string {
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

/** Strings with what JSON and Go escape differently, lone surrogates and control characters. */
const NASTY = ['<', '>', '&', '\u2028', '\u2029', '"', '\\', '\u0000', '\u001f', '\u007f', '\ud800', '\udfff', '😀', '</script>', 'a&b<c>d'];
const nastyString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom(...NASTY, 'a', ' ') }),
  fc.constantFrom(...NASTY),
);
/** Keys JavaScript does not keep in insertion order, or treats specially. */
const key = fc.oneof(
  nastyString,
  fc.nat().map(String),
  fc.constantFrom('9', '10', '01', '-1', '4294967294', '4294967295', '1.5', '__proto__', 'toJSON', 'constructor', 'a', 'b', 'B', ''),
);
const jsonInt = fc.oneof(
  fc.bigInt({ min: -(2n ** 53n) - 5n, max: 2n ** 53n + 5n }).map((b) => new JsonInt(String(b))),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((b) => new JsonInt(String(b))),
  fc.stringMatching(/^-?\d{1,22}$/).map((t) => new JsonInt(t)),
  fc.constantFrom('0', '-0', '007', '9007199254740991', '9007199254740992', '-9007199254740991', '-9007199254740993').map((t) => new JsonInt(t)),
);
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e21, 5e-324));

/** Own properties only, `__proto__` included, in generation order (Object.fromEntries defines them). */
const object = <T,>(value: fc.Arbitrary<T>) => fc.array(fc.tuple(key, value), { maxLength: 6 }).map((entries) => Object.fromEntries(entries));

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false),
    nastyString,
    number,
    jsonInt,
    fc.bigInt(),
    fc.array(tie('value'), { maxLength: 5 }),
    object(tie('value')),
    tie('goMap'),
  ),
  goMap: fc.oneof(
    object(tie('value')).map((o) => new GoMap(o)),
    tie('value').map((v) => new GoMap(v)),
  ),
}));

/** A REST-shaped value: struct-ordered fields (some undefined), counters and metadata maps. */
const restShaped = fc.record({
  id: fc.uuid(),
  name: fc.option(nastyString, { nil: undefined }),
  count: jsonInt,
  metadata: object(fc.oneof(nastyString, number, jsonInt, fc.boolean(), fc.constant(null), object(fc.oneof(nastyString, number)))).map((m) => new GoMap(m)),
  children: fc.array(fc.record({ tokens: jsonInt, prompt: nastyString, metadata: fc.constant(new GoMap(null)) }), { maxLength: 3 }),
});

describe('encodeCoderJson', () => {
  it('writes the same bytes as the field-by-field reference on any value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(encodeCoderJson(v)).toBe(reference(v));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes the same bytes as the reference on REST-shaped values', () => {
    fc.assert(
      fc.property(restShaped, (v) => {
        expect(encodeCoderJson(v)).toBe(reference(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('sorts GoMap keys as Go does, integer-like keys included, at every depth', () => {
    const m = new GoMap({ b: 1, '10': { z: 1, '9': 2, a: [{ y: 1, x: 2 }] }, '9': 3, a: new GoMap({ d: 1, c: 2 }) });
    expect(encodeCoderJson(m)).toBe('{"10":{"9":2,"a":[{"x":2,"y":1}],"z":1},"9":3,"a":{"c":2,"d":1},"b":1}\n');
  });

  it('keeps 64-bit counters exact and as written', () => {
    const v = { big: new JsonInt('12345678901234567890'), small: new JsonInt('-42'), edge: new JsonInt('9007199254740993'), odd: new JsonInt('007') };
    expect(encodeCoderJson(v)).toBe('{"big":12345678901234567890,"small":-42,"edge":9007199254740993,"odd":007}\n');
  });

  it('escapes <, >, &, U+2028 and U+2029 in keys and values', () => {
    expect(encodeCoderJson({ '<k&>': 'a<b>&\u2028\u2029' })).toBe('{"\\u003ck\\u0026\\u003e":"a\\u003cb\\u003e\\u0026\\u2028\\u2029"}\n');
  });

  it('omits undefined fields, writes undefined alone and non-finite numbers as null', () => {
    expect(encodeCoderJson({ a: undefined, b: [undefined, NaN, Infinity], c: 1 })).toBe('{"b":[null,null,null],"c":1}\n');
    expect(encodeCoderJson(undefined)).toBe('null\n');
  });

  it('refuses a JsonInt that is not an integer', () => {
    expect(() => new JsonInt('1e3')).toThrow(/not an integer/);
    expect(() => new JsonInt(' 12')).toThrow(/not an integer/);
  });
});
