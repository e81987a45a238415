import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Viewer } from '../auth/viewer.ts';
import { loadConfig } from '../config.ts';
import type { Db } from '../db/db.ts';
import { openDatabase } from '../db/open.ts';
import { countInterceptions } from '../domain/interceptions.ts';
import { countSessions } from '../domain/sessions.ts';
import { exportStream } from '../export/stream.ts';
import { priceBook } from '../prices/book.ts';
import { openPriceStore } from '../prices/state-store.ts';
import { prepareExport } from '../rest/export.ts';
import { readExportParams, type ExportKind, type ExportParams } from '../rest/export-params.ts';
import { HttpError } from '../rest/respond.ts';
import { defineCommand, err, UsageError, type Command } from './command.ts';

/**
 * The CLI reads with the database's own access: every row, as an owner's export would (`initiator:me`
 * names no one). Its id is the nil UUID, which no Coder user has.
 */
const OPERATOR: Viewer = { id: '00000000-0000-0000-0000-000000000000', username: 'cli', name: '', avatarUrl: '', roles: ['owner'], seesAll: true };

const COMMON = `  --format F      ndjson (default) or csv: the endpoint's formats and columns (docs/exports.md)
  --q Q           the list endpoint's search query, e.g. "provider:anthropic started_after:2026-01-01T00:00:00Z"
  --out FILE      write to FILE (default: stdout); a failed export removes FILE`;

const USAGE_OPTIONS = `  --group-by D    comma-separated: initiator, model, provider, provider_name, client, credential_kind
  --bucket B      hour, day, week or month
  --time-zone Z   IANA zone the buckets are cut in (default UTC)`;

/** Progress on stderr: rows, rate and (when known) the share done; redrawn on a terminal, every tenth otherwise. */
function progress(total: number | null) {
  const started = performance.now();
  let lastTenth = -1;
  const line = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const bar = total ? `[${'#'.repeat(Math.round((Math.min(done, total) / total) * 30)).padEnd(30, '.')}] ${done}/${total}` : `${done}`;
    return `${bar} rows, ${rate.toLocaleString('en')} rows/s`;
  };
  return {
    rows(done: number) {
      if (process.stderr.isTTY) return void process.stderr.write(`\r${line(done)}`);
      const tenth = total ? Math.floor((done / total) * 10) : -1;
      if (tenth > lastTenth) {
        lastTenth = tenth;
        err(line(done));
      }
    },
    done(written: number) {
      if (process.stderr.isTTY) process.stderr.write('\n');
      err(`exported ${line(written)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    },
  };
}

/** Rows the export will write, for the progress bar (read before it, so only nearly exact while AI Bridge writes). */
async function expectedRows(db: Db, p: ExportParams): Promise<number | null> {
  if (p.kind === 'interceptions') return countInterceptions(db, OPERATOR, p.filter);
  if (p.kind === 'sessions') return countSessions(db, OPERATOR, p.filter);
  return null;
}

function exportCommand(kind: ExportKind): Command {
  const usage = kind === 'usage';
  return defineCommand({
    words: ['export', kind],
    synopsis: `export ${kind} [--format ndjson|csv] [--q Q]${usage ? ' [--group-by D] [--bucket B] [--time-zone Z]' : ''} [--out FILE]`,
    summary: `stream every ${kind === 'usage' ? 'usage group' : kind.slice(0, -1)} as NDJSON or CSV (what GET …/export/${kind} writes)`,
    description: `Writes the same bytes as GET /api/v2/aibridge/export/${kind} answers an owner (uncompressed),
with a progress bar (rows and rate) on stderr. Reads the database directly, every row.

${COMMON}${usage ? `\n${USAGE_OPTIONS}` : ''}`,
    options: usage ? ['format', 'q', 'out', 'group-by', 'bucket', 'time-zone'] : ['format', 'q', 'out'],
    async run(values: Partial<Record<string, string>>) {
      const url = new URL('http://cli/');
      for (const [option, param] of [['format', 'format'], ['q', 'q'], ['group-by', 'group_by'], ['bucket', 'bucket'], ['time-zone', 'time_zone']]) {
        const v = values[option];
        if (v !== undefined) url.searchParams.set(param, v);
      }
      if (values.format === undefined) url.searchParams.set('format', 'ndjson');
      const config = loadConfig();
      const { db, schema } = await openDatabase(config, { seedDemo: false, log: err });
      const store = usage ? await openPriceStore(config, db) : null;
      try {
        let params: ExportParams;
        let write;
        try {
          params = await readExportParams({ db, viewer: OPERATOR }, kind, url, null);
          write = await prepareExport({ db, viewer: OPERATOR, schema, book: priceBook(store?.prisma ?? null, { db, schema }) }, params);
        } catch (e) {
          if (!(e instanceof HttpError)) throw e;
          const details = [e.body.detail, ...(e.body.validations ?? []).map((v) => `${v.field}: ${v.detail}`)].filter(Boolean);
          throw new UsageError([e.body.message, ...details].join('\n  '));
        }
        const bar = progress(await expectedRows(db, params));
        const stream = exportStream({ gzip: false });
        const out = values.out === undefined ? process.stdout : createWriteStream(values.out);
        const producing = write(stream.sink, { onRows: (n) => bar.rows(n) }).then(
          (n) => {
            stream.end();
            return n;
          },
          (e: unknown) => {
            stream.fail(e);
            throw e;
          },
        );
        try {
          const [written] = await Promise.all([producing, pipeline(Readable.fromWeb(stream.body as import('node:stream/web').ReadableStream<Uint8Array>), out)]);
          bar.done(written);
        } catch (e) {
          if (values.out !== undefined) await unlink(values.out).catch(() => {});
          throw e;
        }
      } finally {
        await store?.close();
        await db.close();
      }
    },
  });
}

export const exportCommands: readonly Command[] = (['interceptions', 'sessions', 'usage'] as const).map(exportCommand);
