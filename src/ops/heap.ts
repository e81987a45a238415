import v8 from 'node:v8';

/**
 * V8 lets the old generation grow by up to 4x its live size before a full collection (the
 * "heap growing factor"). A streaming export promotes what it holds across a client's drain
 * waits, and that dies right after: garbage that piles up to the limit. Exporting the bench's
 * 1M interceptions as NDJSON, the server's RSS grew 229 MiB with V8's default and 48-53 MiB
 * with 20% (three runs, load ~3, 47-57 s each: no slower). It must be set before the
 * application's modules load (src/main.ts): set after, the limit sized while they loaded (4x,
 * ~215 MB) still held for the export's first seconds and RSS grew 130 MiB in half the runs.
 * Set at run time because NODE_OPTIONS does not accept the flag and `npm start`'s command line
 * stays `node dist/main.js`.
 */
export const HEAP_GROWING_PERCENT = 20;

export function tuneHeapGrowth(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
