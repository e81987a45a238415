import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import type { Db } from './db/db.ts';
import { DatabaseUnavailableError } from './db/db.ts';
import { AuthError, authenticate, tokenFromRequest } from './auth/viewer.ts';
import type { GraphQLContext } from './graphql/context.ts';
import { GRAPHIQL_DEFAULT_QUERY } from './graphql/default-query.ts';
import { schema } from './graphql/index.ts';
import { handleRest, isRestPath } from './rest/router.ts';
import { routes } from './rest/routes.ts';
import { json } from './rest/respond.ts';

export interface AppDeps {
  db: Db;
  graphiql?: boolean;
  /** Schema introspection (on by default); GraphiQL needs it. */
  introspection?: boolean;
  /** Headers GraphiQL starts with (the embedded demo pre-fills the owner's token). */
  graphiqlHeaders?: Record<string, string>;
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

/** Health, readiness and the REST shims answer before Yoga sees the request. */
function useRoutes(db: Db): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname === '/healthz') return endResponse(json({ status: 'ok' }));
      if (url.pathname === '/readyz') {
        try {
          await db.query('SELECT 1');
          return endResponse(json({ status: 'ready' }));
        } catch {
          return endResponse(json({ status: 'unavailable', detail: 'the database is not reachable' }, 503));
        }
      }
      if (isRestPath(url.pathname)) return endResponse(await handleRest(request, db, routes));
    },
  };
}

/** Builds the whole HTTP handler; does no I/O until a request arrives. */
export function createApp(deps: AppDeps): App {
  const { db } = deps;
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
    plugins: [useRoutes(db), ...(deps.introspection === false ? [useDisableIntrospection()] : [])],
    async context({ request }) {
      try {
        const viewer = await authenticate(db, tokenFromRequest(request));
        return { db, viewer };
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
        // Expected errors keep their path and locations; only unexpected ones are replaced.
        if (error instanceof GraphQLError && (!error.originalError || original instanceof GraphQLError)) return error;
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      },
    },
  });
}
