import { encodeBase64 } from '@pothos/core';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { MAX_BODY_BYTES } from '../../src/plugins/use-body-limit.ts';
import { LIMITS } from '../../src/graphql/builder.ts';
import { DOCUMENT_LIMITS } from '../../src/graphql/limits.ts';
import { describeEachDb } from '../support/databases.ts';
import { addUser, countStatements } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';

/**
 * GraphQL document bounds (tokens, aliases, directives, from GraphQL Armor; depth, breadth and
 * cost from the schema) and the request body bound. Each limit is met exactly (accepted) and
 * passed by one (rejected with a stable code, before any data is read). Time is measured only
 * against a generous bound: rejection must not cost the work the document asks for.
 */
let owner: { id: string; token: string };

const aliases = (n: number, field = 'viewer { uuid }') => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');

/** A short global id (of no user: the lookup answers null), n times, as GraphQL string tokens. */
const shortIds = (n: number) => Array(n).fill(JSON.stringify(encodeBase64('User:x'))).join(' ');

describeEachDb(
  'GraphQL and request size limits',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    /** Sends `query`, returning the response, the statements it ran and how long it took. */
    async function timed(query: string, variables?: Record<string, unknown>) {
      const started = performance.now();
      const { result, statements } = await countStatements(ctx().db, () => gql(app(), query, variables, owner.token));
      return { res: result, statements, ms: performance.now() - started };
    }

    const cases: { name: string; ok: () => string; over: () => string; limit: string }[] = [
      {
        name: 'aliases',
        // (Aliases of __typename are free in GraphQL Armor: they cost nothing to resolve.)
        ok: () => `{ ${aliases(DOCUMENT_LIMITS.aliases)} }`,
        over: () => `{ ${aliases(DOCUMENT_LIMITS.aliases + 1)} }`,
        limit: 'aliases',
      },
      {
        name: 'directives',
        ok: () => `{ viewer { ${aliases(DOCUMENT_LIMITS.directives, 'uuid @include(if: true)')} } }`,
        over: () => `{ viewer { ${aliases(DOCUMENT_LIMITS.directives + 1, 'uuid @include(if: true)')} } }`,
        limit: 'directives',
      },
      {
        // `{ nodes(ids: [id, …]) { id } }`: 12 tokens plus one per id.
        name: 'tokens',
        ok: () => `{ nodes(ids: [${shortIds(DOCUMENT_LIMITS.tokens - 12)}]) { id } }`,
        over: () => `{ nodes(ids: [${shortIds(DOCUMENT_LIMITS.tokens - 11)}]) { id } }`,
        limit: 'tokens',
      },
      {
        name: 'depth',
        ok: () => `{ interceptions(first: 1) { edges { node { ${'threadRoot { '.repeat(LIMITS.depth - 4)}uuid${' }'.repeat(LIMITS.depth - 4)} } } } }`,
        over: () => `{ interceptions(first: 1) { edges { node { ${'threadRoot { '.repeat(LIMITS.depth)}uuid${' }'.repeat(LIMITS.depth)} } } } }`,
        limit: 'depth',
      },
      {
        // Breadth counts every selection; aliases stay under their own limit here.
        name: 'breadth',
        ok: () => `{ ${aliases(50, 'viewer { uuid username }')} }`,
        over: () => `{ ${aliases(DOCUMENT_LIMITS.aliases - 1, 'viewer { uuid username name avatarUrl }')} }`,
        limit: 'breadth',
      },
      {
        name: 'cost',
        ok: () => '{ sessions(first: 10) { edges { node { threads(first: 10) { edges { node { uuid } } } } } } }',
        over: () => '{ sessions(first: 1000) { edges { node { threads(first: 200) { edges { node { interceptions { uuid } } } } } } } }',
        limit: 'complexity',
      },
    ];

    for (const c of cases) {
      it(`${c.name}: at the limit is served, one over is QUERY_TOO_COMPLEX before any data is read`, async () => {
        const ok = await timed(c.ok());
        expect(ok.res.body.errors, ok.res.text.slice(0, 300)).toBeUndefined();
        const over = await timed(c.over());
        expect(over.res.body.data ?? null).toBeNull();
        expect(over.res.body.errors).toHaveLength(1);
        expect(over.res.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: c.limit });
        expect(over.res.body.errors[0].message).toMatch(/exceed/i);
        // At most the token check: nothing of the document ran.
        expect(over.statements.filter((s) => !/api_keys/.test(s))).toEqual([]);
      });
    }

    it('rejects a 10,000-alias document while parsing, quickly', async () => {
      const { res, statements, ms } = await timed(`{ ${aliases(10_000, '__typename')} }`);
      expect(res.body.errors[0]).toMatchObject({ message: `Syntax Error: Token limit of ${DOCUMENT_LIMITS.tokens} exceeded.`, extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'tokens' } });
      expect(statements.filter((s) => !/api_keys/.test(s))).toEqual([]);
      expect(ms).toBeLessThan(2_000);
    });

    it('rejects a 1 MB document with 413 before parsing it, quickly', async () => {
      const query = `{ viewer { uuid } } # ${'x'.repeat(1_000_000)}`;
      const { res, statements, ms } = await timed(query);
      expect(res.status).toBe(413);
      expect(res.body.errors[0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE', max: MAX_BODY_BYTES } });
      // Not even the token was checked.
      expect(statements).toEqual([]);
      expect(ms).toBeLessThan(2_000);
    });

    it('bounds a body without Content-Length (chunked) as it streams in', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          // An endless upload: only the limit ends it.
          sent += chunk.byteLength;
          c.enqueue(chunk);
        },
      });
      const res = await call(app(), '/graphql', { method: 'POST', token: owner.token, headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
      expect(res.status).toBe(413);
      expect(res.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(sent).toBeLessThan(MAX_BODY_BYTES + 4 * chunk.byteLength);
    });

    it('accepts a body just under the limit', async () => {
      const body = JSON.stringify({ query: '{ viewer { username } }', variables: { pad: 'x'.repeat(MAX_BODY_BYTES - 100) } });
      expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
      const res = await call(app(), '/graphql', { method: 'POST', token: owner.token, headers: { 'content-type': 'application/json' }, body });
      expect(res.body).toEqual({ data: { viewer: { username: 'root' } } });
    });

    it('answers a REST request with a large body 413 in Coder\'s error shape', async () => {
      const res = await call(app(), '/api/v2/aibridge/interceptions', { method: 'POST', token: owner.token, body: 'x'.repeat(MAX_BODY_BYTES + 1) });
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ message: 'Request body too large.', detail: `Request body too large: at most ${MAX_BODY_BYTES} bytes are accepted.` });
    });

    it('gives every GraphQL error a code: bad variables, unsupported media types', async () => {
      const missing = await gql(app(), 'query($id: UUID!) { interception(id: $id) { uuid } }', {}, owner.token);
      expect(missing.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const wrongType = await gql(app(), 'query($id: ID!) { node(id: $id) { id } }', { id: 1.5 }, owner.token);
      expect(wrongType.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const media = await call(app(), '/graphql', { method: 'POST', token: owner.token, headers: { 'content-type': 'text/plain' }, body: '{ viewer { uuid } }' });
      expect(media.status).toBe(415);
      expect(media.body.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });

    it('turns NUL characters in any argument into a client error, not a database error', async () => {
      for (const [query, variables] of [
        ['query($p: String) { models(prefix: $p) }', { p: 'a\u0000' }],
        ['query($id: String!) { session(id: $id) { sessionId } }', { id: '\u0000' }],
        ['query($f: InterceptionFilter) { interceptions(filter: $f) { totalCount } }', { f: { initiator: 'x\u0000' } }],
      ] as const) {
        const res = await gql(app(), query, variables, owner.token);
        expect(res.body.errors[0]).toMatchObject({ message: 'Text values cannot contain NUL (U+0000) characters.', extensions: { code: 'BAD_USER_INPUT' } });
      }
      for (const path of ['/api/v2/aibridge/sessions/%00', '/api/v2/aibridge/interceptions?q=model:%00', '/api/v2/aibridge/sessions?after_session_id=%00']) {
        const res = await call(app(), path, { token: owner.token });
        expect(res.status, path).toBe(400);
        expect(res.body).toEqual({ message: 'Invalid input.', detail: 'Text values cannot contain NUL (U+0000) characters.' });
      }
      // In a token: malformed, so 401 like any other malformed token.
      const token = await call(app(), '/api/v2/aibridge/models', { token: `abcdefghi\u0000-${'a'.repeat(22)}` }).catch(() => null);
      // (fetch refuses NUL in a header value; the query parameter carries it instead)
      expect(token).toBeNull();
      const viaQuery = await call(app(), `/api/v2/aibridge/models?coder_session_token=abcdefghi%00-${'a'.repeat(22)}`);
      expect(viaQuery.status).toBe(401);
      expect(viaQuery.body.detail).toBe('Invalid API key format: unexpected characters.');
    });

    it('keeps the document limits with introspection and GraphiQL switched off', async () => {
      const locked = createApp({ db: ctx().db, introspection: false, graphiql: false });
      const res = await gql(locked, `{ ${aliases(DOCUMENT_LIMITS.aliases + 1)} }`, undefined, owner.token);
      expect(res.body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'root', role: 'owner' });
  },
);
