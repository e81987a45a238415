import { getClients, getModels } from './catalog.ts';
import { exportHandler } from './export.ts';
import { getInterceptions } from './interceptions.ts';
import { getProviders } from './providers.ts';
import { EXPORT_KINDS } from './export-params.ts';
import { API_PREFIXES, type Route } from './router.ts';
import { getSessionDetail } from './session-detail.ts';
import { getSessions } from './sessions.ts';

/** A path under a prefix as a pattern; `([^/]+)` segments become the route's params. */
const under = (prefix: string, rest: string) => new RegExp(`^${prefix.replace(/[/-]/g, '\\$&')}${rest}$`);

/**
 * Every REST endpoint, matched against the request path in order; any other path under the
 * REST prefixes answers 404 JSON (src/rest/router.ts). Each endpoint answers the same under
 * `/api/v2/ai-gateway/` (Coder's current name) and `/api/v2/aibridge/` (the alias Coder keeps).
 * `/interceptions` is ours: Coder removed it, the gateway keeps it under both names.
 */
export const routes: Route[] = [
  ...API_PREFIXES.flatMap((p): Route[] => [
    { pattern: under(p, '/interceptions'), template: `${p}/interceptions`, handler: getInterceptions },
    { pattern: under(p, '/sessions'), template: `${p}/sessions`, handler: getSessions },
    { pattern: under(p, '/sessions/([^/]+)'), template: `${p}/sessions/{id}`, handler: getSessionDetail },
    { pattern: under(p, '/models'), template: `${p}/models`, handler: getModels },
    { pattern: under(p, '/clients'), template: `${p}/clients`, handler: getClients },
    // Ours (docs/exports.md): every matching row, streamed as NDJSON or CSV.
    ...EXPORT_KINDS.map((kind): Route => ({ pattern: under(p, `/export/${kind}`), template: `${p}/export/${kind}`, handler: exportHandler(kind) })),
  ]),
  // Legacy alias kept for scripts written against the experimental API.
  { pattern: /^\/api\/experimental\/aibridge\/interceptions$/, template: '/api/experimental/aibridge/interceptions', handler: getInterceptions },
  { pattern: /^\/api\/v2\/ai\/providers$/, template: '/api/v2/ai/providers', handler: getProviders },
];
