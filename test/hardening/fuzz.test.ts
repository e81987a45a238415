import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { isRestPath } from '../../src/rest/router.ts';
import { createTestDb, type TestDb } from '../support/databases.ts';
import { call, gql } from '../support/http.ts';
import { ID, seedScenario, type Scenario } from '../rest/scenario.ts';

/**
 * Property-based fuzzing of every input surface: REST `q` strings, paging parameters and path
 * ids; GraphQL variables, malformed documents and malformed request bodies. Whatever the input,
 * a response is never a 5xx and never shows SQL, a stack or a source path; REST errors keep
 * Coder's JSON shape and GraphQL errors always carry extensions.code.
 *
 * Seeded (FUZZ_SEED overrides, to explore) and bounded: the runs below add up to 10,500
 * generated inputs, counted as they are sent, so a property that stops early or a test that
 * does not run falls short of the count. It runs on PGlite only: the properties are about the gateway's input
 * handling, which is the same code over both databases (the NUL-byte case, the one database
 * difference found, is pinned by tests on both below), and doubling the run time buys nothing.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const RUNS = { q: 2500, paging: 2000, paths: 1500, variables: 2500, documents: 1500, bodies: 500 };

const SQL_TEXT = /SELECT |syntax error at|relation "|invalid input syntax|invalid byte sequence|violates|pg_catalog/i;
const INTERNALS = /\/src\/|\.ts:\d+|node_modules|\n\s+at \S|\bat [\w.<>]+ \(/;

/** The response text minus what it merely echoes of the request's own strings. */
function scrub(text: string, inputs: string[]): string {
  let out = text;
  for (const s of inputs.filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    for (const form of [s, JSON.stringify(s).slice(1, -1), uriEncoded(s)]) if (form) out = out.split(form).join('');
  }
  return out;
}

function uriEncoded(s: string): string | undefined {
  try {
    return encodeURIComponent(s);
  } catch {
    return undefined; // a lone surrogate has no encoding
  }
}

/**
 * encodeURIComponent for any string: a lone surrogate (no UTF-8 form) is sent as the bytes of an
 * encoded surrogate, invalid UTF-8, which is what a hostile client would send.
 */
function enc(s: string): string {
  return uriEncoded(s) ?? `${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'))}%ED%A0%80`;
}

type Res = Awaited<ReturnType<typeof call>>;

function expectSafe(r: Res, inputs: string[]) {
  expect(r.status, r.text).toBeLessThan(500);
  const text = scrub(r.text, inputs);
  expect(text).not.toMatch(SQL_TEXT);
  expect(text).not.toMatch(INTERNALS);
}

function expectCoderShape(r: Res, inputs: string[]) {
  expectSafe(r, inputs);
  expect(r.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(typeof r.body).not.toBe('string');
  if (r.status < 400) return;
  const { message, detail, validations, ...rest } = r.body;
  expect(rest).toEqual({});
  expect(typeof message).toBe('string');
  if (detail !== undefined) expect(typeof detail).toBe('string');
  if (validations !== undefined) {
    for (const v of validations) expect(Object.keys(v).sort()).toEqual(['detail', 'field']);
  }
}

function expectGraphQLShape(r: Res, inputs: string[]) {
  expectSafe(r, inputs);
  expect(r.headers.get('content-type') ?? '', `${r.status} ${r.text}`).toMatch(/json/);
  expect(typeof r.body).toBe('object');
  for (const e of r.body.errors ?? []) {
    expect(typeof e.message).toBe('string');
    expect(typeof e.extensions?.code, JSON.stringify(e)).toBe('string');
  }
}

/**
 * How one property's inputs were answered, counted as the property sends them: `accepted` ones
 * (2xx without GraphQL errors) got past authentication and validation to the resolvers.
 */
function tally() {
  const counts = { ran: 0, accepted: 0, rejected: 0 };
  const seen = (r: Res): Res => {
    counts.ran++;
    if (r.status < 300 && !r.body?.errors) counts.accepted++;
    else counts.rejected++;
    return r;
  };
  return { counts, seen };
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Text with what breaks naive code: quotes, colons, percent signs, NUL, surrogates, SQL. */
const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '', ' ', ':', '"', '""', '\\', '%', '%00', '\u0000', '\ud800', '\u2028', "' OR 1=1 --", '"; DROP TABLE users; --', 'me', 'Unknown',
    '2026-04-01T10:00:00Z', '9999-12-31T23:59:59.999999999Z', '0000-01-01T00:00:00Z', '-1', '2147483648', '1e3', '0x10', ID.A1, ID.B1,
    'sess-alice-1', 'sess-bob', 'a'.repeat(5000), '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '$1', '::uuid', '\r\n',
  ),
);
const KEYS = ['initiator', 'provider', 'model', 'client', 'session_id', 'started_after', 'started_before', 'INITIATOR', 'unknown', ''];
const term = fc.oneof(
  fc.tuple(fc.constantFrom(...KEYS), nasty, fc.boolean()).map(([k, v, quote]) => (quote ? `${k}:"${v}"` : `${k}:${v}`)),
  nasty,
);
const qString = fc.oneof(fc.array(term, { maxLength: 6 }).map((ts) => ts.join(' ')), nasty);
const LIST_PATHS = ['/api/v2/aibridge/interceptions', '/api/experimental/aibridge/interceptions', '/api/v2/aibridge/sessions', '/api/v2/aibridge/models', '/api/v2/aibridge/clients'];
const number = fc.oneof(
  fc.integer({ min: -5, max: 2100 }).map(String),
  fc.constantFrom('0', '1000', '1001', '2147483647', '2147483648', '-0', '+5', '1.5', '1e2', ' 5', '5 ', '0x1f', '', '99999999999999999999'),
  nasty,
);
const CURSOR_PARAMS = ['after_id', 'after_session_id', 'before_id'];
const pagingParams = fc.array(
  fc.tuple(fc.constantFrom('limit', 'offset', 'q', ...CURSOR_PARAMS), fc.oneof(number, nasty, fc.constantFrom(ID.A1, ID.A3, ID.B1, 'sess-alice-1'))),
  { maxLength: 5 },
);

/** Path segments: encoded text, raw (possibly invalid) percent sequences, long and unicode ids. */
const pathId = fc.oneof(
  nasty.map(enc),
  fc.stringMatching(/^(%[0-9A-Fa-f]{0,2}|[A-Za-z0-9._~-]){1,30}$/),
  fc.constantFrom(ID.A1, ID.A2, ID.B1, ID.A1.toUpperCase(), 'sess-alice-1', 'sess-bob', '%E0%A4%A', '%FF', '%C0%80', '..', '.', '%2F', '%2e%2e'),
  fc.integer({ min: 100, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(enc),
);

/** JSON values of any shape, for variables. */
const jsonValue = fc.oneof(
  nasty,
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, 2147483647, 2147483648, -1, 0, 1000, 1001, 200, 201),
  fc.record({ initiator: nasty, model: nasty, startedAfter: nasty, includeInFlight: fc.anything() }, { requiredKeys: [] }),
  fc.array(nasty, { maxLength: 5 }),
);

const DOCUMENTS = [
  `query($first: Int, $last: Int, $after: String, $before: String, $filter: InterceptionFilter) {
     interceptions(first: $first, last: $last, after: $after, before: $before, filter: $filter) {
       totalCount pageInfo { hasNextPage endCursor } edges { cursor node { uuid threadRoot { uuid } session { sessionId } } } } }`,
  `query($first: Int, $last: Int, $after: String, $before: String, $filter: InterceptionFilter) {
     sessions(first: $first, last: $last, after: $after, before: $before, filter: $filter) {
       totalCount edges { cursor node { sessionId threads(first: $first) { totalCount edges { node { uuid } } } } } } }`,
  `query($id: String!, $first: Int, $after: String, $before: String, $last: Int) {
     session(id: $id) { sessionId threads(first: $first, after: $after, before: $before, last: $last) { edges { node { uuid } } }
       interceptions(first: $first, after: $after) { edges { node { uuid } } } } }`,
  `query($id: UUID!) { interception(id: $id) { uuid userPrompts { prompt } } }`,
  `query($id: ID!) { node(id: $id) { __typename id } }`,
  `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
  `query($prefix: String, $first: Int) { models(prefix: $prefix, first: $first) clients(prefix: $prefix, first: $first) }`,
  `query($filter: InterceptionFilter, $first: Int) { viewer { interceptions(filter: $filter, first: $first) { totalCount } sessions(filter: $filter, first: $first) { totalCount } } }`,
];
const VARIABLE_NAMES = ['first', 'last', 'after', 'before', 'filter', 'id', 'ids', 'prefix'];
const variables = fc.dictionary(fc.constantFrom(...VARIABLE_NAMES), jsonValue, { maxKeys: 5 });

/** A valid document mangled: characters cut, repeated or replaced by GraphQL punctuation. */
const TOKENS = ['{', '}', '(', ')', '[', ']', ':', '$', '@', '...', '"', '"""', '!', '=', '#', '\n', 'query', 'fragment', 'on', 'interceptions', '__schema', 'node', 'id', '1e999', '-'];
const mangled = fc
  .tuple(fc.constantFrom(...DOCUMENTS), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), fc.constantFrom(...TOKENS, '')), { minLength: 1, maxLength: 6 }))
  .map(([doc, edits]) => edits.reduce((d, [at, cut, insert]) => { const i = at % (d.length + 1); return d.slice(0, i) + insert + d.slice(i + cut); }, doc));
const tokenSoup = fc.array(fc.constantFrom(...TOKENS, ' ', 'a', '1', 'true', 'null'), { maxLength: 80 }).map((ts) => ts.join(' '));
const document = fc.oneof(mangled, tokenSoup, nasty);

const rawBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.record({ query: fc.oneof(document, fc.jsonValue()), variables: fc.oneof(fc.jsonValue(), variables), operationName: fc.oneof(nasty, fc.jsonValue()), extensions: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  nasty,
);
const CONTENT_TYPES = ['application/json', 'application/graphql+json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'application/graphql-response+json'];

// ---------------------------------------------------------------------------------------------

describe('fuzzing every input [pglite]', () => {
  let t: TestDb;
  let app: App;
  let users: Scenario;
  const token = fc.constantFrom<'owner' | 'alice'>('owner', 'alice').map((u) => users[u].token);
  const params = { seed: SEED, endOnFailure: true } as const;
  // What each test below counted its properties running; the last test adds them up.
  const ran: Partial<Record<keyof typeof RUNS, number>> = {};

  beforeAll(async () => {
    t = await createTestDb('pglite');
    users = await seedScenario(t.db);
    app = createApp({ db: t.db });
  });
  afterAll(async () => {
    await t?.close();
  });

  /**
   * Every generated input was sent, and each outcome the property is about occurred: inputs that
   * reached the resolvers (`accepted`) and inputs turned away with an error (`rejected`).
   */
  function expectRan(name: keyof typeof RUNS, counts: ReturnType<typeof tally>['counts'], outcomes: Array<'accepted' | 'rejected'>) {
    expect(counts.ran).toBe(RUNS[name]);
    for (const outcome of outcomes) expect(counts[outcome], `inputs ${outcome}`).toBeGreaterThan(0);
    ran[name] = counts.ran;
  }

  it('answers REST q strings of any text with Coder\'s JSON and no internals', async () => {
    const { counts, seen } = tally();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LIST_PATHS), qString, token, async (path, q, tk) => {
        expectCoderShape(seen(await call(app, `${path}?q=${enc(q)}`, { token: tk })), [q]);
      }),
      { ...params, numRuns: RUNS.q },
    );
    expectRan('q', counts, ['accepted', 'rejected']);
  }, 120_000);

  it('answers any REST limits, offsets and cursors (repeated parameters included) with Coder\'s JSON and no internals', async () => {
    const { counts, seen } = tally();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...LIST_PATHS, '/api/v2/aibridge/sessions/sess-alice-1'), pagingParams, token, async (path, ps, tk) => {
        const qs = ps.map(([k, v]) => `${k}=${enc(v)}`).join('&');
        expectCoderShape(seen(await call(app, `${path}?${qs}`, { token: tk })), ps.map(([, v]) => v));
      }),
      { ...params, numRuns: RUNS.paging },
    );
    expectRan('paging', counts, ['accepted', 'rejected']);
  }, 120_000);

  it('answers any REST path id (percent-encoding, unicode, very long, unknown routes) without a 5xx or internals', async () => {
    const { counts, seen } = tally();
    await fc.assert(
      fc.asyncProperty(pathId, fc.constantFrom('/api/v2/aibridge/sessions/', '/api/v2/aibridge/', '/api/experimental/aibridge/'), token, async (id, prefix, tk) => {
        let decoded = id;
        try {
          decoded = decodeURIComponent(id);
        } catch {
          // echoed raw, if at all
        }
        const r = seen(await call(app, `${prefix}${id}`, { token: tk }));
        // `..` segments normalise out of the REST prefix: then it is just an unknown path.
        if (isRestPath(new URL(`http://x${prefix}${id}`).pathname)) expectCoderShape(r, [id, decoded]);
        else expectSafe(r, [id, decoded]);
      }),
      { ...params, numRuns: RUNS.paths },
    );
    expectRan('paths', counts, ['accepted', 'rejected']);
  }, 120_000);

  it('answers GraphQL variables of any shape with coded errors and no internals', async () => {
    const { counts, seen } = tally();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...DOCUMENTS), variables, token, async (doc, vars, tk) => {
        const strings = JSON.stringify(vars).match(/"(?:[^"\\]|\\.)*"/g)?.map((s) => JSON.parse(s) as string) ?? [];
        expectGraphQLShape(seen(await gql(app, doc, vars, tk)), strings);
      }),
      { ...params, numRuns: RUNS.variables },
    );
    expectRan('variables', counts, ['accepted', 'rejected']);
  }, 120_000);

  it('answers malformed GraphQL documents with coded errors and no internals', async () => {
    const { counts, seen } = tally();
    await fc.assert(
      fc.asyncProperty(document, token, async (doc, tk) => {
        expectGraphQLShape(seen(await gql(app, doc, undefined, tk)), [doc]);
      }),
      { ...params, numRuns: RUNS.documents },
    );
    expectRan('documents', counts, ['rejected']);
  }, 120_000);

  it('answers malformed GraphQL request bodies and methods with coded errors and no internals', async () => {
    const { counts, seen } = tally();
    await fc.assert(
      fc.asyncProperty(rawBody, fc.constantFrom(...CONTENT_TYPES), fc.constantFrom('POST', 'GET'), token, async (body, type, method, tk) => {
        const r = method === 'GET'
          ? await call(app, `/graphql?query=${enc(body)}`, { token: tk, headers: { accept: 'application/json' } })
          : await call(app, '/graphql', { method, token: tk, headers: { 'content-type': type }, body });
        expectGraphQLShape(seen(r), [body]);
      }),
      { ...params, numRuns: RUNS.bodies },
    );
    expectRan('bodies', counts, ['rejected']);
  }, 120_000);

  // Runs last (tests in a file run in order): a property that was skipped or cut short leaves a gap.
  it('sent at least 10,000 generated inputs in all (the issue asks for that many)', () => {
    expect(Object.keys(ran).sort()).toEqual(Object.keys(RUNS).sort());
    expect(Object.values(ran).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10_000);
  });
});
