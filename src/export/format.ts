import { HttpError } from '../rest/respond.ts';

/** What an export writes: one JSON object per line, or CSV with a header row. */
export type ExportFormat = 'ndjson' | 'csv';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'csv'];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
};

/** Media types in an Accept header that choose a format (anything else leaves the default, NDJSON). */
const MEDIA: Record<string, ExportFormat> = {
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/csv': 'csv',
};

/**
 * The format: `format` when given (anything but ndjson or csv is a 400), else the acceptable
 * media type with the highest q in Accept (the first listed on a tie), else NDJSON.
 */
export function chooseFormat(param: string | undefined, accept: string | null): ExportFormat {
  if (param !== undefined) {
    if ((EXPORT_FORMATS as readonly string[]).includes(param)) return param as ExportFormat;
    throw new HttpError(400, {
      message: 'Query parameters have invalid values.',
      validations: [{ field: 'format', detail: `Query param "format" must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(param)}.` }],
    });
  }
  let best: { format: ExportFormat; q: number } | undefined;
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const format = MEDIA[type ?? ''];
    if (!format) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { format, q };
  }
  return best?.format ?? 'ndjson';
}

/** Whether Accept-Encoding allows gzip (absent, or q=0, does not). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  for (const range of (acceptEncoding ?? '').split(',')) {
    const [coding, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const qParam = params.find((p) => p.startsWith('q='));
    if (!qParam || Number(qParam.slice(2)) > 0) return true;
  }
  return false;
}
