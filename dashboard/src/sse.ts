import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/**
 * A GraphQL subscription over server-sent events, as Yoga's built-in transport serves it (POST
 * /graphql with `Accept: text/event-stream`; `next` events carry results, `complete` ends). Read
 * with fetch, not EventSource, because EventSource cannot send the session token header.
 */
export interface SseHandlers<T> {
  next: (data: T) => void;
  /** The server refused or ended the stream with an error (GraphQL errors in a `next`, or a status). */
  error: (message: string) => void;
  /** The stream ended (complete, closed connection): the caller decides when to reconnect. */
  end: () => void;
}

export function subscribe<T, V>(doc: TypedDocumentNode<T, V>, variables: V, headers: Record<string, string>, handlers: SseHandlers<T>): () => void {
  const abort = new AbortController();
  void (async () => {
    try {
      const res = await fetch(new URL('/graphql', location.href), {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: print(doc), variables }),
        credentials: 'same-origin',
        signal: abort.signal,
      });
      if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        const body = (await res.json().catch(() => null)) as { errors?: { message: string }[] } | null;
        handlers.error(body?.errors?.[0]?.message ?? `The server answered ${res.status}.`);
        return;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          if (event === 'complete') return handlers.end();
          if (!data) continue; // keep-alive comment
          const result = JSON.parse(data) as { data?: T; errors?: { message: string }[] };
          if (result.errors?.length) handlers.error(result.errors[0].message);
          else if (result.data) handlers.next(result.data);
        }
      }
      handlers.end();
    } catch {
      if (!abort.signal.aborted) handlers.end();
    }
  })();
  return () => abort.abort();
}
