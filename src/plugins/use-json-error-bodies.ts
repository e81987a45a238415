import type { Plugin } from 'graphql-yoga';
import { json } from '../rest/respond.ts';

const STATUS_CODES: Record<number, string> = { 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 406: 'NOT_ACCEPTABLE', 415: 'UNSUPPORTED_MEDIA_TYPE' };

/**
 * Yoga answers some malformed GraphQL requests (an unsupported Content-Type: 415) with an
 * empty body; clients get a GraphQL error body with a code there too.
 */
export function useJsonErrorBodies(endpoint: string): Plugin {
  return {
    onResponse(hook) {
      const { request, response } = hook;
      if (response.status < 400 || response.headers.get('content-type') || new URL(request.url).pathname !== endpoint) return;
      const message = `${response.status} ${response.statusText || 'Bad request'}`.trim();
      const code = STATUS_CODES[response.status] ?? 'BAD_REQUEST';
      hook.setResponse(json({ errors: [{ message, extensions: { code } }] }, response.status, Object.fromEntries(response.headers)));
    },
  };
}
