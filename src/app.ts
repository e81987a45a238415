import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, useReadinessCheck, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { Db, Queryable } from './db/db.ts';
import { DatabaseUnavailableError } from './db/db.ts';
import { named } from './db/sql.ts';
import { capabilitiesReport, SchemaProbe } from './db/schema-probe.ts';
import { AuthError } from './auth/viewer.ts';
import { InvalidTextError, rejectingNulText } from './domain/text-input.ts';
import type { GraphQLContext } from './graphql/context.ts';
import { GRAPHIQL_DEFAULT_QUERY } from './graphql/default-query.ts';
import { compiledExecutionPlugins } from './graphql/execution.ts';
import { schema } from './graphql/index.ts';
import { documentLimitPlugins } from './graphql/limits.ts';
import { authenticateRequest, handleRest, isRestPath } from './rest/router.ts';
import { routes } from './rest/routes.ts';
import { errorResponse, json } from './rest/respond.ts';

export interface AppDeps {
  db: Db;
  graphiql?: boolean;
  /** Schema introspection (on by default); GraphiQL needs it. */
  introspection?: boolean;
  /** Headers GraphiQL starts with (the embedded demo pre-fills the owner's token). */
  graphiqlHeaders?: Record<string, string>;
  /** Told each GraphQL document the first time it runs compiled (see ./graphql/execution.ts). */
  onCompile?: (document: DocumentNode) => void;
  /** The database's optional Coder parts (src/db/capabilities.ts); one is made for `db` if not given. */
  schema?: SchemaProbe;
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

/** Health and the REST shims answer before Yoga sees the request. */
function useRoutes(db: Queryable, schema: SchemaProbe): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname === '/healthz') return endResponse(json({ status: 'ok' }));
      if (isRestPath(url.pathname)) return endResponse(await handleRest(request, db, schema, routes));
    },
  };
}

/**
 * GET /readyz: 200 {"status":"ready","capabilities":[…]} (the optional Coder parts detected)
 * while the database answers, 503 {"status":"unavailable"}
 * otherwise, through Yoga's readiness plugin. That plugin also answers any URL that merely ends
 * in the endpoint (/foo/readyz, /graphql?x=/readyz); only the path /readyz is handed to it, so
 * those keep their own answers (404, GraphQL).
 */
function useReadiness(db: Queryable, schema: SchemaProbe): Plugin {
  const readiness = useReadinessCheck({
    endpoint: '/readyz',
    async check() {
      try {
        await db.query(named('readiness.ping')`SELECT 1`);
        // Readiness is also when an undetected schema (the database was down at start) gets read.
        await schema.current();
        return json({ status: 'ready', ...capabilitiesReport(schema) });
      } catch {
        return json({ status: 'unavailable', detail: 'the database is not reachable' }, 503);
      }
    },
  });
  return {
    ...readiness,
    onRequest(payload) {
      if (payload.url.pathname === '/readyz') return readiness.onRequest?.(payload);
    },
  };
}

/**
 * Largest request body accepted. GraphQL documents here are reads of a few kilobytes (the token
 * limit in ./graphql/limits.ts stops far smaller ones); REST endpoints take no body at all.
 */
export const MAX_BODY_BYTES = 256 * 1024;

/** Reads a body stream, giving up (null) as soon as it passes `max` bytes. */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number): Promise<Buffer | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * 413 for bodies over `max` bytes: at once when Content-Length says so, otherwise (chunked) while
 * reading, so an endless upload is never held in memory. The body read here is handed on.
 */
function useBodyLimit(max: number): Plugin {
  return {
    async onRequest({ request, url, setRequest, endResponse, fetchAPI }) {
      if (request.body === null) return;
      const rest = isRestPath(url.pathname);
      const tooLarge = () => {
        const message = `Request body too large: at most ${max} bytes are accepted.`;
        endResponse(
          rest
            ? errorResponse(413, { message: 'Request body too large.', detail: message })
            : json({ errors: [{ message, extensions: { code: 'PAYLOAD_TOO_LARGE', max } }] }, 413),
        );
      };
      if (Number(request.headers.get('content-length')) > max) return tooLarge();
      // REST never reads a body (every route is GET): nothing to buffer.
      if (rest) return;
      const bytes = await readAtMost(request.body, max);
      if (bytes === null) return tooLarge();
      setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(bytes), signal: request.signal }));
    },
  };
}

const STATUS_CODES: Record<number, string> = { 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 406: 'NOT_ACCEPTABLE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

/**
 * Yoga answers some malformed GraphQL requests (an unsupported Content-Type: 415) with an
 * empty body; clients get a GraphQL error body with a code there too.
 */
function useJsonErrorBodies(endpoint: string): Plugin {
  return {
    onResponse({ request, response, setResponse }) {
      if (response.status < 400 || response.headers.get('content-type') || new URL(request.url).pathname !== endpoint) return;
      const message = `${response.status} ${response.statusText || 'Bad request'}`.trim();
      const code = STATUS_CODES[response.status] ?? 'BAD_REQUEST';
      setResponse(json({ errors: [{ message, extensions: { code } }] }, response.status, Object.fromEntries(response.headers)));
    },
  };
}

/** Builds the whole HTTP handler; does no I/O until a request arrives. */
export function createApp(deps: AppDeps): App {
  const probe = deps.schema ?? new SchemaProbe(deps.db);
  // Every statement of a request goes through this guard (see ./domain/text-input.ts), and
  // through the probe's watch (a lost connection or a vanished column means detecting again).
  const db = probe.watching(rejectingNulText(deps.db));
  return createYoga<Record<string, never>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The self-contained GraphiQL page: Yoga's default loads its scripts from a CDN, which
    // air-gapped deployments (and a strict Content-Security-Policy) cannot reach.
    renderGraphiQL,
    graphiql: deps.graphiql === false ? false : {
      title: 'aibridge-graphql',
      defaultQuery: GRAPHIQL_DEFAULT_QUERY,
      headers: deps.graphiqlHeaders ? JSON.stringify(deps.graphiqlHeaders, null, 2) : undefined,
      // A prefilled demo token must win over headers a browser kept from an earlier data dir.
      shouldPersistHeaders: !deps.graphiqlHeaders,
    },
    plugins: [
      useBodyLimit(MAX_BODY_BYTES),
      useJsonErrorBodies('/graphql'),
      useRoutes(db, probe),
      useReadiness(db, probe),
      ...documentLimitPlugins(),
      ...(deps.introspection === false ? [useDisableIntrospection()] : []),
      ...compiledExecutionPlugins(deps.onCompile),
    ],
    async context({ request }) {
      try {
        const viewer = await authenticateRequest(db, request);
        return { db, viewer, schema: probe };
      } catch (err) {
        if (err instanceof AuthError) {
          throw new GraphQLError(err.message, { extensions: { code: 'UNAUTHENTICATED', detail: err.detail, http: { status: 401 } } });
        }
        throw err;
      }
    },
    maskedErrors: {
      maskError(error, message) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof DatabaseUnavailableError) {
          return new GraphQLError('The database is unavailable.', { extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } } });
        }
        // Client mistakes are returned as the same object, given a code where graphql-js gives
        // none (bad variable values): Yoga logs every error that maskError replaces, and these
        // are not the server's problem.
        const clientError = (e: GraphQLError) => {
          (e.extensions as Record<string, unknown>).code ??= 'BAD_USER_INPUT';
          return e;
        };
        if (original instanceof InvalidTextError && error instanceof GraphQLError) return clientError(error);
        // Expected errors keep their path and locations; only unexpected ones are replaced.
        if (error instanceof GraphQLError && (!error.originalError || original instanceof GraphQLError)) return clientError(error);
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
  });
}
