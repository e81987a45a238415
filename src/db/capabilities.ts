import type { Queryable } from './db.ts';
import { named } from './sql.ts';

/**
 * Which optional parts of Coder's schema the connected database holds. Coder added them after
 * the seed API document (../shared reference: coder-current.md); an older Coder database has
 * none, and the gateway must then answer exactly as before. A part counts as present only when
 * the connected role may also read it (a SELECT-only role without the extra grants sees it as
 * absent rather than failing on it).
 */
export interface Capabilities {
  /** aibridge_interceptions.error_type and error_message. */
  interceptionErrors: boolean;
  /** aibridge_interceptions.agent_firewall_session_id and agent_firewall_sequence_number. */
  firewallColumns: boolean;
  /** The boundary_logs table (Agent Firewall network events). */
  boundaryLogs: boolean;
  /** aibridge_token_usages.cost_micros and the four *_price_micros snapshot columns. */
  tokenCosts: boolean;
  /** Coder's price table ai_model_prices. */
  modelPrices: boolean;
  /** Coder's per-day spend roll-up ai_user_daily_spend. */
  userDailySpend: boolean;
  /** The ai_providers table (GET /api/v2/ai/providers). */
  providers: boolean;
  /** aibridge_interceptions.annotations. */
  annotations: boolean;
  /** aibridge_interceptions.provider_id. */
  providerId: boolean;
  /** aibridge_interceptions.workspace_id. */
  workspaceId: boolean;
}

/** What a seed-era database holds: none of the optional parts. */
export const SEED_ERA_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  interceptionErrors: false,
  firewallColumns: false,
  boundaryLogs: false,
  tokenCosts: false,
  modelPrices: false,
  userDailySpend: false,
  providers: false,
  annotations: false,
  providerId: false,
  workspaceId: false,
});

/** Each capability as the (table, columns) it needs; an empty column list needs only the table. */
const REQUIREMENTS: Record<keyof Capabilities, { table: string; columns: string[] }> = {
  interceptionErrors: { table: 'aibridge_interceptions', columns: ['error_type', 'error_message'] },
  firewallColumns: { table: 'aibridge_interceptions', columns: ['agent_firewall_session_id', 'agent_firewall_sequence_number'] },
  boundaryLogs: {
    table: 'boundary_logs',
    columns: ['id', 'session_id', 'sequence_number', 'captured_at', 'created_at', 'proto', 'method', 'detail', 'matched_rule'],
  },
  tokenCosts: {
    table: 'aibridge_token_usages',
    columns: ['cost_micros', 'input_price_micros', 'output_price_micros', 'cache_read_price_micros', 'cache_write_price_micros'],
  },
  modelPrices: { table: 'ai_model_prices', columns: ['provider', 'model', 'input_price', 'output_price', 'cache_read_price', 'cache_write_price'] },
  userDailySpend: { table: 'ai_user_daily_spend', columns: ['user_id', 'effective_group_id', 'day', 'spend_micros'] },
  providers: {
    table: 'ai_providers',
    columns: ['id', 'type', 'name', 'display_name', 'icon', 'enabled', 'deleted', 'base_url', 'created_at', 'updated_at'],
  },
  annotations: { table: 'aibridge_interceptions', columns: ['annotations'] },
  providerId: { table: 'aibridge_interceptions', columns: ['provider_id'] },
  workspaceId: { table: 'aibridge_interceptions', columns: ['workspace_id'] },
};

const TABLES = [...new Set(Object.values(REQUIREMENTS).map((r) => r.table))];

/**
 * Reads the catalog once: the columns the connected role may select of every table above that
 * the search path resolves (the tables every statement names unqualified). One statement.
 */
export async function detectCapabilities(db: Queryable): Promise<Capabilities> {
  const rows = await db.query<{ table: string; column: string }>(named('schema.capabilities')`
    SELECT c.relname AS table, a.attname AS column
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relname = ANY(${TABLES}::text[]) AND c.relkind IN ('r', 'p', 'v') AND pg_catalog.pg_table_is_visible(c.oid)
       AND pg_catalog.has_column_privilege(c.oid, a.attnum, 'SELECT')`);
  const present = new Set(rows.map((r) => `${r.table}.${r.column}`));
  const caps = { ...SEED_ERA_CAPABILITIES };
  for (const [name, req] of Object.entries(REQUIREMENTS) as [keyof Capabilities, (typeof REQUIREMENTS)[keyof Capabilities]][]) {
    caps[name] = req.columns.every((col) => present.has(`${req.table}.${col}`));
  }
  return caps;
}

/** The names of the capabilities present, in declaration order. */
export function presentCapabilities(caps: Capabilities): string[] {
  return (Object.keys(REQUIREMENTS) as (keyof Capabilities)[]).filter((k) => caps[k]);
}

/** The one start-up log line. */
export function describeCapabilities(caps: Capabilities): string {
  const present = presentCapabilities(caps);
  const absent = (Object.keys(REQUIREMENTS) as (keyof Capabilities)[]).filter((k) => !caps[k]);
  return `schema: detected ${present.length ? present.join(', ') : 'none'} of the optional Coder parts${absent.length ? `; absent: ${absent.join(', ')}` : ''}`;
}
