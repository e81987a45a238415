import { readFileSync } from 'node:fs';
import path from 'node:path';
import { getIntrospectionQuery, type DocumentNode } from 'graphql';
import { expect, it, vi } from 'vitest';
import { createApp } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import { seed } from '../../src/db/seed.ts';
import { createToken } from '../../src/db/users.ts';
import { GRAPHIQL_DEFAULT_QUERY } from '../../src/graphql/default-query.ts';
import { COMPILE_MAX_FIELDS } from '../../src/graphql/execution.ts';
import { describeEachDb } from '../support/databases.ts';
import { call, gql } from '../support/http.ts';
import { ROOT } from '../support/process.ts';

/**
 * A document runs interpreted (graphql-js) the first time and compiled (graphql-jit) from the
 * second time on (src/graphql/execution.ts). Both must answer byte for byte the same: data,
 * errors with their codes, messages, paths and locations, masking, limits. Each case below runs
 * twice on one app and compares the two answers, and checks that the second run was compiled.
 */

// The benchmark's W4 and W5 documents, read as text (bench/ type-checks with its own dependencies).
const workloads = readFileSync(path.join(ROOT, 'bench/lib/workloads.ts'), 'utf8');
const benchQuery = (name: string) => new RegExp(`export const ${name} = \`([^\`]*)\``).exec(workloads)![1];
const W4_QUERY = benchQuery('W4_QUERY');
const W5_QUERY = benchQuery('W5_QUERY');

const cookbook = readFileSync(path.join(ROOT, 'docs/cookbook.md'), 'utf8')
  .split(/^## /m)
  .slice(1)
  .map((section) => ({
    name: `cookbook: ${section.slice(0, section.indexOf('\n'))}`,
    query: /```graphql\n([\s\S]*?)```/.exec(section)?.[1] ?? '',
    variables: ((v) => (v ? (JSON.parse(v) as Record<string, unknown>) : undefined))(/```json\n([\s\S]*?)```/.exec(section)?.[1]),
  }))
  .filter((r) => r.query);

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** The answer must hold errors with these codes (in order), or none when absent. */
  codes?: string[];
  /**
   * Variables graphql-js rejects keep the document interpreted (graphql-jit words those errors
   * differently); these variables are valid, and with them the same document is compiled.
   */
  validVariables?: Record<string, unknown>;
}

const cases: Case[] = [
  ...cookbook,
  { name: 'bench W4', query: W4_QUERY },
  { name: 'bench W5', query: W5_QUERY },
  { name: 'GraphiQL default query', query: GRAPHIQL_DEFAULT_QUERY },
  {
    name: 'fragments, aliases, typename, nodes, totalCount',
    query: `query Mixed($n: Int!) {
      a: interceptions(first: $n) { totalCount edges { cursor node { ...I } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
      b: sessions(last: 2) { edges { node { __typename id sessionId threadCount tokenUsageSummary { inputTokens metadata } } } }
    }
    fragment I on Interception { __typename id uuid durationMs threadRoot { uuid } initiator { username } tokenUsageSummary { outputTokens } }`,
    variables: { n: 3 },
  },
  { name: 'introspection (GraphiQL sends it on every load)', query: getIntrospectionQuery() },
  { name: 'missing required variable', query: 'query($id: UUID!) { interception(id: $id) { uuid } }', codes: ['BAD_USER_INPUT'], validVariables: { id: '00000000-0000-4000-8000-000000000000' } },
  { name: 'variable of the wrong type', query: 'query($n: Int) { interceptions(first: $n) { edges { cursor } } }', variables: { n: 'ten' }, codes: ['BAD_USER_INPUT'], validVariables: { n: 2 } },
  { name: 'bad UUID in a variable', query: 'query($id: UUID!) { interception(id: $id) { uuid } }', variables: { id: 'nope' }, codes: ['BAD_USER_INPUT'], validVariables: { id: '00000000-0000-4000-8000-000000000000' } },
  { name: 'bad cursor (resolver error)', query: 'query { interceptions(first: 1, after: "garbage") { edges { cursor } } }', codes: ['BAD_USER_INPUT'] },
  { name: 'bad node id', query: 'query { node(id: "bm9wZQ") { id } }', codes: ['BAD_USER_INPUT'] },
  { name: 'NUL in an argument', query: 'query($m: String) { interceptions(first: 1, filter: { model: $m }) { edges { cursor } } }', variables: { m: 'a\u0000b' }, codes: ['BAD_USER_INPUT'] },
  { name: 'too costly', query: 'query { sessions(first: 1000) { edges { node { threads(first: 200) { edges { node { interceptions { uuid } } } } } } } }', codes: ['QUERY_TOO_COMPLEX'] },
  { name: 'unexpected failure inside a nested field (masked)', query: 'query { interceptions(first: 2) { edges { node { uuid toolUsages { tool } } } } }', codes: ['INTERNAL_SERVER_ERROR'] },
];

/** Fails the tool usages read with an unexpected (non-database-unavailable) error. */
function failingToolUsages(db: Db): Db {
  return { ...db, query: (s) => (/FROM aibridge_tool_usages/.test(s.text) ? Promise.reject(new Error('boom')) : db.query(s)) };
}

/** A request naming its operation. */
function call2(app: ReturnType<typeof createApp>, query: string, operationName: string) {
  return call(app, '/graphql', { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, operationName }) });
}

let token: string;
const compiled: DocumentNode[] = [];
const onCompile = (d: DocumentNode) => compiled.push(d);

describeEachDb(
  'GraphQL: compiled execution answers exactly as interpreted execution',
  (ctx) => {
    it.each(cases.map((c) => [c.name, c] as const))('%s: answers byte for byte the same compiled as interpreted', async (_name, c) => {
      const db = c.codes?.includes('INTERNAL_SERVER_ERROR') ? failingToolUsages(ctx().db) : ctx().db;
      const app = createApp({ db, onCompile });
      compiled.length = 0;
      const first = await gql(app, c.query, c.variables, token);
      expect(compiled).toHaveLength(0);
      const second = await gql(app, c.query, c.variables, token);
      expect(compiled.length, `the second run was compiled: ${first.text.slice(0, 300)}`).toBe(c.validVariables ? 0 : 1);
      expect(second.status, `${first.text}\n${second.text}`).toBe(first.status);
      expect(second.text).toBe(first.text);
      const codes = (first.body.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code);
      expect(codes, first.text.slice(0, 500)).toEqual(c.codes ?? []);
      if (!c.codes) expect(first.text.length).toBeGreaterThan(100);
      if (c.validVariables) {
        const valid = await gql(app, c.query, c.validVariables, token);
        expect(compiled, 'compiled once its variables are valid').toHaveLength(1);
        expect(valid.body.errors, valid.text).toBeUndefined();
        expect((await gql(app, c.query, c.variables, token)).text, 'invalid variables after compiling').toBe(first.text);
      }
    });

    it('compiles a DateTime literal argument without writing to stderr (logs stay JSON)', async () => {
      const app = createApp({ db: ctx().db, onCompile });
      // totalCount: a page src/graphql/page-json.ts would answer never reaches graphql-jit.
      const query = 'query { interceptions(first: 2, filter: { startedAfter: "2020-01-01T00:00:00Z" }) { totalCount edges { node { uuid startedAt } } } }';
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        compiled.length = 0;
        const first = await gql(app, query, undefined, token);
        const second = await gql(app, query, undefined, token);
        expect(compiled).toHaveLength(1);
        expect(second.text).toBe(first.text);
        expect(first.body.data.interceptions.edges.length).toBeGreaterThan(0);
        // graphql-jit writes a warning for a scalar whose parseLiteral takes variables.
        expect(errors).not.toHaveBeenCalled();
      } finally {
        errors.mockRestore();
      }
    });

    it('interprets documents with several operations: each name runs its own operation', async () => {
      const app = createApp({ db: ctx().db, onCompile });
      const doc = 'query A { models } query B { clients }';
      compiled.length = 0;
      const call = async (operationName: string) => (await call2(app, doc, operationName)).body.data;
      for (let i = 0; i < 2; i++) {
        expect(Object.keys(await call('A'))).toEqual(['models']);
        expect(Object.keys(await call('B'))).toEqual(['clients']);
      }
      expect(compiled).toHaveLength(0);
    });

    it('interprets documents with more than COMPILE_MAX_FIELDS fields every time', async () => {
      const app = createApp({ db: ctx().db, onCompile });
      const big = `query { ${Array.from({ length: 40 }, (_, i) => `a${i}: interceptions(first: 1) { edges { cursor node { uuid model provider client } } }`).join(' ')} }`;
      compiled.length = 0;
      for (let i = 0; i < 3; i++) expect((await gql(app, big, undefined, token)).body.errors).toBeUndefined();
      expect(40 * 6).toBeGreaterThan(COMPILE_MAX_FIELDS);
      expect(compiled).toHaveLength(0);
    });
  },
  async ({ db }) => {
    await seed(db, { interceptions: 300, end: new Date('2026-11-20T12:00:00Z') });
    token = await createToken(db, 'admin');
  },
);
