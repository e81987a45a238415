import type { Plugin } from 'graphql-yoga';
import { errorResponse, json } from '../rest/respond.ts';
import { isRestPath } from '../rest/router.ts';

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
export function useBodyLimit(max: number): Plugin {
  return {
    async onRequest(hook) {
      const { request, url, fetchAPI } = hook;
      if (request.body === null) return;
      const rest = isRestPath(url.pathname);
      const tooLarge = () => {
        const message = `Request body too large: at most ${max} bytes are accepted.`;
        hook.endResponse(
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
      hook.setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(bytes), signal: request.signal }));
    },
  };
}
