import { PassThrough, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';

/** The client went away (or the consumer cancelled): the export stops at its next step. */
export class ExportAborted extends Error {
  constructor() {
    super('export aborted: the client went away');
    this.name = 'ExportAborted';
  }
}

/** Where an export writes its text, with back-pressure. */
export interface ExportSink {
  /** Resolves once the text is buffered below the high-water mark; throws ExportAborted once aborted. */
  write(text: string): Promise<void>;
  /** Aborted when the client disconnects or the body is cancelled. */
  readonly signal: AbortSignal;
}

/**
 * Characters per write. A batch's text as one string (250 NDJSON lines: ~330 KB) lands in V8's
 * large-object space, which only a full collection frees; chunks this size stay in the young
 * generation and die in the next scavenge.
 */
export const CHUNK_CHARS = 16 * 1024;

/** Writes `lines` (each with its line end) in chunks of about CHUNK_CHARS, with back-pressure. */
export async function writeLines(sink: ExportSink, lines: readonly string[]): Promise<void> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= CHUNK_CHARS) {
      await sink.write(chunk);
      chunk = '';
    }
  }
  if (chunk) await sink.write(chunk);
}

/**
 * Buffered bytes before a write waits for the reader: small next to a batch, so memory stays a
 * batch or two whatever the export's size.
 */
const HIGH_WATER_MARK = 64 * 1024;

export interface ExportStream {
  sink: ExportSink;
  /** The bytes (gzip-compressed when asked) as a web stream that reads only when pulled. */
  body: ReadableStream<Uint8Array>;
  end(): void;
  /** Ends the body with an error: the response is cut off (no final chunk), so clients see it failed. */
  fail(err: unknown): void;
}

/**
 * A pull-based byte stream an export writes into. Nothing is read from the database faster than
 * the client reads: `write` waits for the buffer to drain, the web stream pulls one chunk per
 * read. A client gone (`signal`) or a cancelled body aborts `sink.signal`.
 */
export function exportStream(options: { gzip: boolean; signal?: AbortSignal }): ExportStream {
  const abort = new AbortController();
  const text = new PassThrough({ highWaterMark: HIGH_WATER_MARK });
  const bytes: Readable = options.gzip ? text.pipe(createGzip()) : text;
  const stop = () => {
    if (abort.signal.aborted) return;
    abort.abort(new ExportAborted());
    text.destroy();
    bytes.destroy();
  };
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });

  const chunks = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
        } catch (err) {
          controller.error(err);
        }
      },
      cancel: stop,
    },
    { highWaterMark: 0 },
  );

  const sink: ExportSink = {
    signal: abort.signal,
    async write(chunk) {
      if (abort.signal.aborted) throw new ExportAborted();
      if (!text.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            text.off('drain', done);
            abort.signal.removeEventListener('abort', done);
            resolve();
          };
          text.on('drain', done);
          abort.signal.addEventListener('abort', done);
        });
      }
      if (abort.signal.aborted) throw new ExportAborted();
    },
  };
  return {
    sink,
    body,
    end: () => {
      options.signal?.removeEventListener('abort', stop);
      text.end();
    },
    fail: (err) => {
      options.signal?.removeEventListener('abort', stop);
      bytes.destroy(err instanceof Error ? err : new Error(String(err)));
      if (bytes !== text) text.destroy();
    },
  };
}
