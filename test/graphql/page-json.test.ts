import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { named } from '../../src/db/sql.ts';
import { seed } from '../../src/db/seed.ts';
import { createToken } from '../../src/db/users.ts';
import { describeEachGeneration } from '../support/databases.ts';
import { countStatements } from '../support/fixtures.ts';
import { gql } from '../support/http.ts';

/**
 * `interceptions` pages answered from one JSON statement (src/graphql/page-json.ts) must be the
 * normal execution's answer byte for byte, for any selection: random selections, aliases, page
 * sizes, cursors, filters and viewers are sent to an app with the fast path and one without.
 * Selections the fast path does not cover (fields it does not know, fragments, totalCount) and
 * rows it must not answer (a counter past SafeInt) are mixed in: those fall back, and must
 * answer identically too.
 */

const INTERCEPTION = ['__typename', 'id', 'uuid', 'provider', 'providerName', 'model', 'client', 'metadata', 'startedAt', 'endedAt', 'apiKeyId', 'sessionId'];
const USER = ['__typename', 'id', 'uuid', 'username', 'name', 'avatarUrl'];
const TOKEN = ['__typename', 'id', 'interceptionId', 'providerResponseId', 'inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens', 'metadata', 'createdAt'];
const TOOL = ['__typename', 'id', 'interceptionId', 'providerResponseId', 'providerToolCallId', 'providerItemId', 'tool', 'serverUrl', 'input', 'injected', 'invocationError', 'metadata', 'createdAt'];
const PROMPT = ['__typename', 'id', 'interceptionId', 'providerResponseId', 'prompt', 'metadata', 'createdAt'];
const PAGE_INFO = ['__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'];
/** Valid selections the fast path leaves to the normal execution. */
const UNCOVERED_NODE = ['durationMs', 'credentialKind', 'credentialHint', 'threadRoot { uuid }', 'modelThoughts { content }', 'tokenUsageSummary { inputTokens }', '... on Interception { model }'];

/** Some of `fields` in random order, some aliased (alias names unique per level). */
const pickOf = (fields: string[], min = 1) =>
  fc.shuffledSubarray(fields, { minLength: min }).chain((xs) =>
    fc.tuple(...xs.map((f, i) => fc.boolean().map((aliased) => (aliased && !f.includes(' ') ? `a${i}: ${f}` : f)))).map((ys) => ys.join(' ')),
  );

const nodeSelection = fc
  .record({
    scalars: pickOf(INTERCEPTION),
    initiator: fc.option(pickOf(USER)),
    tokenUsages: fc.option(pickOf(TOKEN)),
    toolUsages: fc.option(pickOf(TOOL)),
    userPrompts: fc.option(pickOf(PROMPT)),
    uncovered: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...UNCOVERED_NODE) }),
  })
  .chain((s) =>
    fc.shuffledSubarray(
      [
        s.scalars,
        ...(s.initiator ? [`initiator { ${s.initiator} }`] : []),
        ...(s.tokenUsages ? [`tokenUsages { ${s.tokenUsages} }`] : []),
        ...(s.toolUsages ? [`toolUsages { ${s.toolUsages} }`] : []),
        ...(s.userPrompts ? [`userPrompts { ${s.userPrompts} }`] : []),
        ...(s.uncovered ? [s.uncovered] : []),
      ],
      { minLength: 1 },
    ).map((xs) => ({ text: xs.join(' '), covered: !s.uncovered || !xs.includes(s.uncovered) })),
  );

const operation = fc.record({
  node: nodeSelection,
  cursor: fc.boolean(),
  edgeTypename: fc.boolean(),
  pageInfo: fc.option(pickOf(PAGE_INFO)),
  connectionTypename: fc.boolean(),
  totalCount: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  alias: fc.option(fc.constant('list')),
  size: fc.option(fc.record({ which: fc.constantFrom('first', 'last'), n: fc.integer({ min: 0, max: 130 }) })),
  cursorArg: fc.option(fc.record({ which: fc.constantFrom('after', 'before'), at: fc.integer({ min: 0, max: 150 }) })),
  includeInFlight: fc.option(fc.boolean()),
  viewer: fc.constantFrom('admin', 'alice'),
  asVariables: fc.boolean(),
});

type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function documentOf(o: Operation, cursors: string[]) {
  const edge = [o.cursor ? 'cursor' : '', o.edgeTypename ? '__typename' : '', `node { ${o.node.text} }`].filter(Boolean).join(' ');
  const parts = [`edges { ${edge} }`, o.pageInfo ? `pageInfo { ${o.pageInfo} }` : '', o.connectionTypename ? '__typename' : '', o.totalCount ? 'totalCount' : ''];
  const args: Record<string, unknown> = {};
  if (o.size) args[o.size.which] = o.size.n;
  if (o.cursorArg) args[o.cursorArg.which] = cursors[o.cursorArg.at % cursors.length];
  if (o.includeInFlight !== null) args.filter = { includeInFlight: o.includeInFlight };
  const defs = o.asVariables ? Object.keys(args).map((k) => `$${k}: ${k === 'filter' ? 'InterceptionFilter' : k === 'first' || k === 'last' ? 'Int' : 'String'}`) : [];
  const literal = (v: unknown) => (typeof v === 'object' ? `{ includeInFlight: ${(v as { includeInFlight: boolean }).includeInFlight} }` : JSON.stringify(v));
  const argText = Object.entries(args).map(([k, v]) => `${k}: ${o.asVariables ? `$${k}` : literal(v)}`).join(', ');
  const query = `query Q${defs.length ? `(${defs.join(', ')})` : ''} { ${o.alias ? `${o.alias}: ` : ''}interceptions${argText ? `(${argText})` : ''} { ${parts.filter(Boolean).join(' ')} } }`;
  return { query, variables: o.asVariables ? args : undefined, covered: o.node.covered && !o.totalCount };
}

let tokens: Record<string, string>;
let cursors: string[];

describeEachGeneration(
  'GraphQL: interceptions pages from one JSON statement',
  (ctx) => {
    const apps = () => ({ fast: createApp({ db: ctx().db }), normal: createApp({ db: ctx().db, pageJson: false }) });

    async function both(fast: App, normal: App, query: string, variables: Record<string, unknown> | undefined, token: string) {
      const { result: f, names } = await countStatements(ctx().db, () => gql(fast, query, variables, token));
      const n = await gql(normal, query, variables, token);
      return { f, n, names };
    }

    it('answers any selection byte for byte as the normal execution does, in one statement when it covers it', async () => {
      const { fast, normal } = apps();
      let covered = 0;
      await fc.assert(
        fc.asyncProperty(operation, async (o) => {
          const { query, variables, covered: isCovered } = documentOf(o, cursors);
          const { f, n, names } = await both(fast, normal, query, variables, tokens[o.viewer]);
          expect(f.status, `${query}\n${n.text.slice(0, 300)}`).toBe(n.status);
          expect(f.text, query).toBe(n.text);
          if (isCovered && !n.body.errors) {
            covered++;
            expect(names, query).toEqual(['auth.apiKey', 'interceptions.pageJson']);
          } else {
            expect(names, query).not.toContain('interceptions.pageJson');
          }
        }),
        { numRuns: 60, seed: 4242 },
      );
      expect(covered).toBeGreaterThan(20);
    });

    it('answers the benchmark W4 document byte for byte, both pages of a cursor walk', async () => {
      const { fast, normal } = apps();
      const select = `edges { cursor node { uuid provider providerName model client metadata startedAt endedAt apiKeyId
        initiator { uuid username name avatarUrl } tokenUsages { id inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata createdAt }
        toolUsages { id tool serverUrl input injected invocationError metadata createdAt } userPrompts { id prompt createdAt } } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;
      const first = await both(fast, normal, `query { interceptions(first: 100) { ${select} } }`, undefined, tokens.admin);
      expect(first.f.text).toBe(first.n.text);
      expect(first.names).toEqual(['auth.apiKey', 'interceptions.pageJson']);
      expect(first.f.body.data.interceptions.edges).toHaveLength(100);
      const after = first.f.body.data.interceptions.pageInfo.endCursor as string;
      const second = await both(fast, normal, 'query($a: String) { interceptions(first: 100, after: $a) { ' + select + ' } }', { a: after }, tokens.admin);
      expect(second.f.text).toBe(second.n.text);
      expect(second.names).toEqual(['auth.apiKey', 'interceptions.pageJson']);
    });

    it('leaves a page with a counter past SafeInt to the normal execution (its masked error)', async () => {
      const { fast, normal } = apps();
      const [row] = await ctx().db.query<{ id: string }>(named('test')`
        SELECT t.id FROM aibridge_token_usages t JOIN aibridge_interceptions i ON i.id = t.interception_id
         WHERE i.ended_at IS NOT NULL ORDER BY i.started_at DESC, i.id DESC LIMIT 1`);
      await ctx().db.query(named('test')`UPDATE aibridge_token_usages SET output_tokens = 9007199254740993 WHERE id = ${row.id}`);
      try {
        const query = 'query { interceptions(first: 5) { edges { node { uuid tokenUsages { id outputTokens } } } } }';
        const { f, n, names } = await both(fast, normal, query, undefined, tokens.admin);
        expect(n.body.errors?.[0]?.extensions?.code, n.text).toBe('INTERNAL_SERVER_ERROR');
        expect(f.text).toBe(n.text);
        expect(names).toContain('interceptions.pageJson');
      } finally {
        await ctx().db.query(named('test')`UPDATE aibridge_token_usages SET output_tokens = 7 WHERE id = ${row.id}`);
      }
    });

    it("answers a node of 50 aliased fields (past concat()'s 100 arguments) byte for byte, in one statement", async () => {
      const { fast, normal } = apps();
      // Each of these is a key and one SQL value: two arguments per field.
      const scalars = ['provider', 'providerName', 'model', 'client', 'metadata', 'endedAt', 'apiKeyId', 'sessionId'];
      const fields = Array.from({ length: 50 }, (_, n) => `f${n}: ${scalars[n % scalars.length]}`).join(' ');
      const query = `query { interceptions(first: 3) { edges { cursor node { ${fields} } } } }`;
      const { f, n, names } = await both(fast, normal, query, undefined, tokens.admin);
      expect(n.body.errors, n.text).toBeUndefined();
      expect(f.text).toBe(n.text);
      expect(names).toEqual(['auth.apiKey', 'interceptions.pageJson']);
    });

    it('keeps the visibility filter: a member sees only their own interceptions', async () => {
      const { fast } = apps();
      const r = await gql(fast, 'query { interceptions(first: 1000, filter: { includeInFlight: true }) { edges { node { initiator { username } } } } }', undefined, tokens.alice);
      const names = new Set((r.body.data.interceptions.edges as { node: { initiator: { username: string } } }[]).map((e) => e.node.initiator.username));
      expect([...names]).toEqual(['alice']);
    });
  },
  async ({ db }) => {
    await seed(db, { interceptions: 260, end: new Date('2026-11-20T12:00:00Z') });
    // Metadata whose text and key order JSON parsing changes (integer-like keys, 1.50, escapes).
    await db.query(named('test')`UPDATE aibridge_interceptions SET metadata = ${'{"b": 1.50, "2": [1e2, "<\\u00e9>\\n"], "a": null, "1": {"z": true}}'}::jsonb
      WHERE id = (SELECT id FROM aibridge_interceptions WHERE ended_at IS NOT NULL ORDER BY started_at DESC LIMIT 1)`);
    await db.query(named('test')`UPDATE aibridge_tool_usages SET input = ${'{"q":"\\"quoted\\" \u2028 tab\t"}'}, metadata = ${'{"10": 1, "9": 2}'}::jsonb
      WHERE id = (SELECT id FROM aibridge_tool_usages ORDER BY created_at DESC LIMIT 1)`);
    tokens = { admin: await createToken(db, 'admin'), alice: await createToken(db, 'alice') };
    const rows = await db.query<{ c: string }>(named('test')`
      SELECT encode(convert_to(json_build_object('startedAt', started_at::text, 'id', id)::text, 'UTF8'), 'base64') AS c FROM aibridge_interceptions ORDER BY random() LIMIT 40`);
    // Cursors as the gateway writes them (base64url JSON), for rows of any viewer; and one garbage cursor.
    cursors = [...rows.map((r) => Buffer.from(JSON.stringify(JSON.parse(Buffer.from(r.c, 'base64').toString('utf8')))).toString('base64url')), 'garbage'];
  },
);
