import { getClients, getModels } from './catalog.ts';
import { getInterceptions } from './interceptions.ts';
import type { Route } from './router.ts';
import { getSessionDetail } from './session-detail.ts';
import { getSessions } from './sessions.ts';

/**
 * Every REST endpoint, matched against the request path in order; any other path under the
 * REST prefixes answers 404 JSON (src/rest/router.ts).
 */
export const routes: Route[] = [
  { pattern: /^\/api\/v2\/aibridge\/interceptions$/, template: '/api/v2/aibridge/interceptions', handler: getInterceptions },
  // Legacy alias kept for scripts written against the experimental API.
  { pattern: /^\/api\/experimental\/aibridge\/interceptions$/, template: '/api/experimental/aibridge/interceptions', handler: getInterceptions },
  { pattern: /^\/api\/v2\/aibridge\/sessions$/, template: '/api/v2/aibridge/sessions', handler: getSessions },
  { pattern: /^\/api\/v2\/aibridge\/sessions\/([^/]+)$/, template: '/api/v2/aibridge/sessions/{id}', handler: getSessionDetail },
  { pattern: /^\/api\/v2\/aibridge\/models$/, template: '/api/v2/aibridge/models', handler: getModels },
  { pattern: /^\/api\/v2\/aibridge\/clients$/, template: '/api/v2/aibridge/clients', handler: getClients },
];
