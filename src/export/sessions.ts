import type { Viewer } from '../auth/viewer.ts';
import type { Queryable } from '../db/db.ts';
import type { Capabilities } from '../db/capabilities.ts';
import { sql } from '../db/sql.ts';
import type { InterceptionFilter } from '../domain/interception-filter.ts';
import { networkCallCounts } from '../domain/network-calls.ts';
import { enrichSessions, type SessionRow } from '../domain/session-enrich.ts';
import { groupedStats, ORDER_DESC, STATS_COLUMNS, type StatsRow } from '../domain/session-stats.ts';
import { listSessions, sessionCursorOf } from '../domain/sessions.ts';
import { userMapFor } from '../domain/users.ts';
import { interceptionConditions } from '../domain/interception-filter.ts';
import { encodeCoderJson, GoMap } from '../rest/encode.ts';
import { sessionListItem } from '../rest/sessions.ts';
import { csvHeader, csvRow, type CsvColumn } from './csv.ts';
import type { ExportFormat } from './format.ts';
import type { ExportPlan } from './run.ts';

/**
 * The sessions export: what GET /sessions lists for the same q, every session, most recently
 * active first. The cursor reads the list's grouped statement once; each batch is enriched
 * (whole-group aggregates, initiators, network calls) with the list's own functions.
 */

type Item = ReturnType<typeof sessionListItem>;

/** The CSV columns, in order (docs/exports.md). */
export const SESSION_CSV: readonly CsvColumn<Item>[] = [
  { name: 'id', kind: 'text', value: (s) => s.id },
  { name: 'initiator_id', kind: 'text', value: (s) => s.initiator.id },
  { name: 'initiator_username', kind: 'text', value: (s) => s.initiator.username },
  { name: 'providers', kind: 'text', value: (s) => s.providers.join(' ') },
  { name: 'models', kind: 'text', value: (s) => s.models.join(' ') },
  { name: 'client', kind: 'text', value: (s) => s.client },
  { name: 'started_at', kind: 'text', value: (s) => s.started_at },
  { name: 'ended_at', kind: 'text', value: (s) => s.ended_at },
  { name: 'last_active_at', kind: 'text', value: (s) => s.last_active_at },
  { name: 'threads', kind: 'number', value: (s) => s.threads.text },
  { name: 'input_tokens', kind: 'number', value: (s) => s.token_usage_summary.input_tokens.text },
  { name: 'output_tokens', kind: 'number', value: (s) => s.token_usage_summary.output_tokens.text },
  { name: 'cache_read_input_tokens', kind: 'number', value: (s) => s.token_usage_summary.cache_read_input_tokens.text },
  { name: 'cache_write_input_tokens', kind: 'number', value: (s) => s.token_usage_summary.cache_write_input_tokens.text },
  { name: 'network_calls', kind: 'number', value: (s) => s.network_calls?.total.text },
  { name: 'network_calls_blocked', kind: 'number', value: (s) => s.network_calls?.blocked.text },
  { name: 'last_prompt', kind: 'text', value: (s) => s.last_prompt },
  { name: 'metadata', kind: 'text', value: (s) => (s.metadata.value === null ? null : encodeCoderJson(new GoMap(s.metadata.value)).trimEnd()) },
];

export const SESSION_CSV_HEADER = csvHeader(SESSION_CSV);

/** The plan for runExport; the timestamps and figures are the list item's (sessionListItem). */
export function sessionExport(viewer: Viewer, filter: InterceptionFilter, caps: Capabilities, format: ExportFormat): ExportPlan<StatsRow & Record<string, unknown>, SessionRow> {
  return {
    select: sql`${groupedStats(interceptionConditions(viewer, filter))} SELECT ${STATS_COLUMNS} FROM s ORDER BY ${ORDER_DESC}`,
    complete: (q, rows) => enrichSessions(q, viewer, rows, { includeInFlight: filter.includeInFlight }),
    pageAfter: async (db, last, limit) => (await listSessions(db, viewer, filter, { limit, after: last && sessionCursorOf(last) })).rows,
    async render(q: Queryable, rows) {
      const [users, calls] = [await userMapFor(q, rows.map((s) => s.initiatorId)), await networkCallCounts(q, caps, viewer, rows)];
      return rows.map((s, n) => {
        const item = sessionListItem(s, users.get(s.initiatorId) ?? null, calls[n] ?? null);
        return format === 'csv' ? csvRow(SESSION_CSV, item) : encodeCoderJson(item);
      });
    },
  };
}
