/**
 * A GraphQL-over-SSE reader for tests: posts a subscription with `Accept: text/event-stream`
 * (what Yoga's built-in transport answers) and parses the stream as it arrives.
 */
export interface SseEvent {
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  contentType: string | null;
  /** `next` and `complete` events so far, in order. */
  events: SseEvent[];
  /** Comment lines (`:`), the transport's keep-alive pings. */
  comments: number;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** The `data` of each `next` event so far, parsed. */
  results(): { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] }[];
  /** Waits until `predicate` holds for this stream (polling its state), or throws after `ms`. */
  until(predicate: (s: SseStream) => boolean, ms?: number): Promise<void>;
  close(): void;
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export async function subscribe(
  fetchFn: Fetch,
  url: string,
  query: string,
  { token, variables }: { token?: string; variables?: Record<string, unknown> } = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (token !== undefined) headers['Coder-Session-Token'] = token;
  const response = await fetchFn(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: abort.signal });
  const stream: SseStream = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events: [],
    comments: 0,
    ended: Promise.resolve(),
    results: () => stream.events.filter((e) => e.event === 'next').map((e) => JSON.parse(e.data) as ReturnType<SseStream['results']>[number]),
    async until(predicate, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!predicate(stream)) {
        if (Date.now() > deadline) throw new Error(`SSE condition not met in ${ms} ms; events: ${JSON.stringify(stream.events)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => {
      abort.abort();
      void reader?.cancel().catch(() => {});
    },
  };
  const reader = response.body?.getReader();
  stream.ended = (async () => {
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          if (lines.every((l) => l.startsWith(':'))) {
            stream.comments++;
            continue;
          }
          const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          stream.events.push({ event, data });
        }
      }
    } catch {
      // cancelled by close()
    }
  })();
  return stream;
}
