import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { json } from '../rest/respond.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * GET /metrics: the registry in Prometheus text format. With `token` set, only
 * `Authorization: Bearer <token>` is answered (compared in constant time); others get 401.
 */
export function useMetricsEndpoint(registry: Registry, token: string | undefined): Plugin {
  const expected = token === undefined ? undefined : digest(token);
  return {
    async onRequest(hook) {
      const { request, url } = hook;
      if (url.pathname !== '/metrics') return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return hook.endResponse(json({ message: 'Method not allowed.', detail: 'GET /metrics.' }, 405, { allow: 'GET, HEAD' }));
      }
      if (expected) {
        const given = request.headers.get('authorization')?.match(/^\s*Bearer\s+(\S+)\s*$/i)?.[1];
        if (!given || !timingSafeEqual(digest(given), expected)) {
          return hook.endResponse(json({ message: 'Unauthorized.', detail: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.' }, 401, { 'www-authenticate': 'Bearer' }));
        }
      }
      hook.endResponse(new hook.fetchAPI.Response(await registry.metrics(), { headers: { 'content-type': registry.contentType } }));
    },
  };
}
