import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import type { SchemaProbe } from '../db/schema-probe.ts';
import { UsageInputError, UsageTooLargeError } from '../domain/usage/errors.ts';
import type { PriceBook } from '../domain/usage/priced-usages.ts';
import { CONTENT_TYPES, acceptsGzip } from '../export/format.ts';
import { INTERCEPTION_CSV_HEADER, interceptionExport } from '../export/interceptions.ts';
import { runExport, type ExportHooks } from '../export/run.ts';
import { SESSION_CSV_HEADER, sessionExport } from '../export/sessions.ts';
import { ExportAborted, exportStream, type ExportSink } from '../export/stream.ts';
import { USAGE_CSV_HEADER, usageRows, writeUsage } from '../export/usage.ts';
import { currentScope } from '../ops/request-scope.ts';
import { priceBook } from '../prices/book.ts';
import { readExportParams, type ExportKind, type ExportParams } from './export-params.ts';
import { HttpError } from './respond.ts';
import type { RestContext } from './router.ts';

/** Writes a whole export (header included) into a sink; returns the rows written. */
export type ExportWriter = (sink: ExportSink, hooks?: ExportHooks) => Promise<number>;

/**
 * The export for checked parameters, ready to write: for usage the report is computed here, so
 * its input errors are a 400 (HttpError) before the first byte. The HTTP endpoint and the CLI
 * both write through this, so they write the same bytes.
 */
export async function prepareExport(
  deps: { db: Queryable; viewer: Viewer; schema: SchemaProbe; book: PriceBook },
  p: ExportParams,
): Promise<ExportWriter> {
  const { db, viewer } = deps;
  const csv = p.format === 'csv';
  const withHeader = (header: string, hooks: ExportHooks, sink: ExportSink): ExportHooks => ({
    ...hooks,
    async onStart() {
      if (csv) await sink.write(header);
      await hooks.onStart?.();
    },
  });
  if (p.kind === 'usage') {
    let rows;
    try {
      rows = await usageRows(db, viewer, deps.book, { filter: p.filter, groupBy: p.groupBy, bucket: p.bucket, timeZone: p.timeZone });
    } catch (err) {
      if (err instanceof UsageInputError || err instanceof UsageTooLargeError) {
        throw new HttpError(400, { message: 'Invalid usage export.', detail: err.message });
      }
      throw err;
    }
    return (sink, hooks = {}) => writeUsage(rows, p.format, sink, withHeader(USAGE_CSV_HEADER, hooks, sink));
  }
  if (p.kind === 'sessions') {
    const plan = sessionExport(viewer, p.filter, await deps.schema.current(), p.format);
    return (sink, hooks = {}) => runExport(db, plan, sink, withHeader(SESSION_CSV_HEADER, hooks, sink));
  }
  const plan = interceptionExport(viewer, p.filter, p.format);
  return (sink, hooks = {}) => runExport(db, plan, sink, withHeader(INTERCEPTION_CSV_HEADER, hooks, sink));
}

/**
 * GET /api/v2/aibridge/export/{interceptions,sessions,usage} (ours; docs/exports.md): every
 * matching row as NDJSON or CSV, streamed. Parameters are checked, and the first batch read,
 * before the status line: until then a problem is Coder's error JSON; after it, a failure cuts
 * the body off (no final chunk), which HTTP clients report as an incomplete response.
 */
export function exportHandler(kind: ExportKind) {
  return async (ctx: RestContext): Promise<Response> => {
    const { request } = ctx;
    const params = await readExportParams(ctx, kind, ctx.url, request.headers.get('accept'));
    const write = await prepareExport({ ...ctx, book: priceBook(ctx.prisma, ctx) }, params);
    const gzip = acceptsGzip(request.headers.get('accept-encoding'));
    const stream = exportStream({ gzip, signal: request.signal });
    const log = currentScope()?.log;
    let begun = false;
    const started = new Promise<void>((resolve, reject) => {
      const begin = () => {
        begun = true;
        resolve();
      };
      write(stream.sink, { onStart: begin }).then(
        () => {
          stream.end();
          resolve();
        },
        (err: unknown) => {
          if (begun && !(err instanceof ExportAborted)) log?.error({ err, export: kind }, 'export: failed while streaming');
          stream.fail(err);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
    try {
      await started;
    } catch (err) {
      // Gone before the first batch: nobody reads an answer (499, as proxies log it).
      if (err instanceof ExportAborted) return new Response(null, { status: 499 });
      throw err;
    }
    return new Response(stream.body, {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[params.format],
        'content-disposition': `attachment; filename="${kind}.${params.format}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        vary: 'Accept, Accept-Encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
    });
  };
}
