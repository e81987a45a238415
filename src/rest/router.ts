import type { Queryable } from '../db/db.ts';
import { DatabaseUnavailableError } from '../db/db.ts';
import type { SchemaProbe } from '../db/schema-probe.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { AuthError, authenticate, tokenFromRequest, type Viewer } from '../auth/viewer.ts';
import { InvalidTextError } from '../domain/text-input.ts';
import { currentScope, noteUser } from '../ops/request-scope.ts';
import { errorResponse, HttpError } from './respond.ts';

export interface RestContext {
  db: Queryable;
  viewer: Viewer;
  /** The database's optional Coder parts; handlers that read them ask it (detected once). */
  schema: SchemaProbe;
  url: URL;
  /** Path segments after the route's prefix, already URL-decoded. */
  params: string[];
  /** The request itself: its headers (content negotiation) and its signal (a client gone). */
  request: Request;
  /** The gateway's own data (price overrides); null where there is none. */
  prisma: PrismaClient | null;
}

export type RestHandler = (ctx: RestContext) => Promise<Response>;

export interface Route {
  pattern: RegExp;
  /** The path with `{id}` for its parameters: the route's name in metrics, logs and traces. */
  template: string;
  handler: RestHandler;
}

/** Coder's current name for the API, the old one it keeps as an alias, and the pre-v2 one. */
export const API_PREFIXES = ['/api/v2/ai-gateway', '/api/v2/aibridge'] as const;
export const REST_PREFIXES = [...API_PREFIXES.map((p) => `${p}/`), '/api/experimental/aibridge/', '/api/v2/ai/'];

export function isRestPath(pathname: string): boolean {
  return REST_PREFIXES.some((p) => pathname.startsWith(p)) || (API_PREFIXES as readonly string[]).includes(pathname);
}

/**
 * `authenticate` for both surfaces: a token with characters no key can have (NUL) is malformed,
 * so it answers 401 like any other malformed token.
 */
export async function authenticateRequest(db: Queryable, request: Request): Promise<Viewer> {
  try {
    const viewer = await authenticate(db, tokenFromRequest(request));
    noteUser(viewer.id);
    return viewer;
  } catch (err) {
    if (err instanceof InvalidTextError) throw new AuthError('Invalid API key format: unexpected characters.');
    throw err;
  }
}

/** Authenticates, finds the route and maps expected failures onto Coder's error bodies. */
export async function handleRest(request: Request, db: Queryable, schema: SchemaProbe, routes: Route[], prisma: PrismaClient | null = null): Promise<Response> {
  const url = new URL(request.url);
  try {
    const match = routes.map((r) => ({ r, m: r.pattern.exec(url.pathname) })).find((x) => x.m);
    const viewer = await authenticateRequest(db, request);
    if (!match) return errorResponse(404, { message: 'Route not found.', detail: `No route for ${url.pathname}.` });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return errorResponse(405, { message: 'Method not allowed.', detail: `${request.method} is not supported on ${url.pathname}.` });
    }
    const params = match.m!.slice(1).map((s) => decodeURIComponent(s ?? ''));
    return await match.r.handler({ db, viewer, schema, url, params, request, prisma });
  } catch (err) {
    if (err instanceof AuthError) return errorResponse(401, { message: err.message, detail: err.detail });
    if (err instanceof HttpError) return errorResponse(err.status, err.body);
    if (err instanceof DatabaseUnavailableError) {
      return errorResponse(503, { message: 'The database is unavailable.', detail: 'Try again shortly.' });
    }
    if (err instanceof URIError) return errorResponse(400, { message: 'Invalid path encoding.' });
    if (err instanceof InvalidTextError) return errorResponse(400, { message: 'Invalid input.', detail: err.message });
    currentScope()?.log.error({ err }, 'rest: unexpected error');
    return errorResponse(500, { message: 'An internal error occurred.' });
  }
}
