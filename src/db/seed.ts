import { detectCapabilities } from './capabilities.ts';
import type { Db, Queryable } from './db.ts';
import { seedCurrentParts } from './seed-current.ts';
import { named, sql, type SqlFragment } from './sql.ts';
import { createUser, type NewUser } from './users.ts';

/**
 * Deterministic demo data with the shapes AI Bridge records: client sessions holding several
 * threads, thread-derived sessions, agentic loops whose tool calls include injected MCP tools and
 * invocation errors, model thinking, prompt-cache reads and writes, several providers, models and
 * clients, and a few in-flight requests. The same options always write the same rows. Over a
 * current Coder schema, ./seed-current.ts adds what it records beyond that.
 */

export interface SeedOptions {
  interceptions: number;
  /** PRNG seed: the same seed and count give the same rows. */
  seed?: number;
  /** The newest interception starts shortly before this instant. */
  end?: Date;
  /** How far back the data reaches. */
  days?: number;
  onProgress?: (done: number, total: number) => void;
}

export const DEMO_USERS: NewUser[] = [
  { id: '00000000-0000-4000-8000-000000000001', username: 'admin', role: 'owner', name: 'Demo Admin' },
  { id: '00000000-0000-4000-8000-000000000002', username: 'audrey', role: 'auditor', name: 'Audrey Auditor' },
  { id: '00000000-0000-4000-8000-000000000003', username: 'alice', role: 'member', name: 'Alice Liddell', avatarUrl: 'https://avatars.example.com/alice.png' },
  { id: '00000000-0000-4000-8000-000000000004', username: 'bob', role: 'member' },
  { id: '00000000-0000-4000-8000-000000000005', username: 'carol', role: 'member', name: 'Carol Danvers' },
  { id: '00000000-0000-4000-8000-000000000006', username: 'dave', role: 'member', name: 'Dave (left)', deleted: true },
  { id: '00000000-0000-4000-8000-000000000007', username: 'sam', role: 'member', name: 'Suspended Sam', status: 'suspended' },
];

interface Flavor {
  provider: string;
  providerName: string;
  models: string[];
  clients: (string | null)[];
  toolStyle: 'anthropic' | 'openai';
}

const FLAVORS: Flavor[] = [
  { provider: 'anthropic', providerName: 'anthropic', models: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'], clients: ['Claude Code', 'Claude Code', 'Cursor'], toolStyle: 'anthropic' },
  { provider: 'openai', providerName: 'openai', models: ['gpt-5', 'gpt-5-mini', 'gpt-4.1'], clients: ['Codex', 'Codex', 'Unknown', null], toolStyle: 'openai' },
  { provider: 'copilot', providerName: 'copilot-business', models: ['gpt-4.1', 'claude-sonnet-4-5'], clients: ['Copilot', 'Copilot CLI'], toolStyle: 'openai' },
];

const LOCAL_TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Glob', 'Write', 'TodoWrite'];
const MCP_TOOLS = [
  { tool: 'coder_list_workspaces', server: 'https://coder.example.com/api/experimental/mcp/http' },
  { tool: 'coder_create_workspace', server: 'https://coder.example.com/api/experimental/mcp/http' },
  { tool: 'github_create_pull_request', server: 'https://api.githubcopilot.com/mcp/' },
  { tool: 'linear_search_issues', server: 'https://mcp.linear.app/mcp' },
];
const PROMPTS = [
  'Fix the failing test in pkg/auth and explain the root cause.',
  'Add pagination to the /users endpoint, keyset on (created_at, id).',
  'Why does the build fail on arm64? Look at the Dockerfile.',
  'Refactor the billing module to remove the circular import.',
  'Write a migration that adds an index on orders(customer_id, created_at DESC).',
  'Summarise what changed in the last three commits.',
  'Create a workspace from the go-dev template and run the linter there.',
  'Open a PR with the fix and link it to the Linear issue.',
  'Explain this stack trace: TypeError: cannot read properties of undefined (reading "id")',
  'Make the CSV export stream instead of buffering everything in memory.',
];
const THOUGHTS = [
  'The test fails only when the clock crosses midnight; the fixture uses local time.',
  'I should read the handler first, then check where the cursor is decoded.',
  'Two candidate causes: the cache key omits the tenant, or the TTL is in ms not s.',
  'The user wants a PR; I need the branch name before calling the GitHub tool.',
  'Streaming needs the writer to flush per row; the current code collects an array.',
];
const ERRORS = ['tool execution timed out after 30s', 'permission denied: workspace is owned by another user', 'MCP server returned 502 Bad Gateway'];

export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = ReturnType<typeof mulberry32>;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
export const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

export function uuid(r: Rand): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(r, ['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
}

/** Microsecond timestamps as RFC 3339 text, so no precision is lost on the way in. */
export function ts(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = String(micros % 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${rest}Z`);
}

// Columns per table, in the order of the unnest() casts below.
const TABLES = {
  aibridge_interceptions: {
    columns: ['id', 'initiator_id', 'provider', 'provider_name', 'model', 'started_at', 'ended_at', 'metadata', 'api_key_id', 'client', 'thread_parent_id', 'thread_root_id', 'client_session_id', 'credential_kind', 'credential_hint'],
    casts: ['uuid', 'uuid', 'text', 'text', 'text', 'timestamptz', 'timestamptz', 'jsonb', 'text', 'varchar', 'uuid', 'uuid', 'varchar', 'credential_kind', 'varchar'],
  },
  aibridge_token_usages: {
    columns: ['id', 'interception_id', 'provider_response_id', 'input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_write_input_tokens', 'metadata', 'created_at'],
    casts: ['uuid', 'uuid', 'text', 'int8', 'int8', 'int8', 'int8', 'jsonb', 'timestamptz'],
  },
  aibridge_tool_usages: {
    columns: ['id', 'interception_id', 'provider_response_id', 'provider_tool_call_id', 'provider_item_id', 'tool', 'server_url', 'input', 'injected', 'invocation_error', 'metadata', 'created_at'],
    casts: ['uuid', 'uuid', 'text', 'text', 'text', 'text', 'text', 'text', 'bool', 'text', 'jsonb', 'timestamptz'],
  },
  aibridge_user_prompts: {
    columns: ['id', 'interception_id', 'provider_response_id', 'prompt', 'metadata', 'created_at'],
    casts: ['uuid', 'uuid', 'text', 'text', 'jsonb', 'timestamptz'],
  },
  aibridge_model_thoughts: {
    columns: ['interception_id', 'content', 'metadata', 'created_at'],
    casts: ['uuid', 'text', 'jsonb', 'timestamptz'],
  },
} as const;
type Table = keyof typeof TABLES;

/** Column buffers flushed as one multi-row INSERT … SELECT FROM unnest(…) per table. */
export class Batches {
  private rows: Record<Table, unknown[][]> = {
    aibridge_interceptions: [],
    aibridge_token_usages: [],
    aibridge_tool_usages: [],
    aibridge_user_prompts: [],
    aibridge_model_thoughts: [],
  };
  constructor(private readonly db: Queryable) {}

  add(table: Table, row: unknown[]) {
    this.rows[table].push(row);
  }

  size(): number {
    return this.rows.aibridge_interceptions.length;
  }

  async flush() {
    for (const table of Object.keys(this.rows) as Table[]) {
      const rows = this.rows[table];
      if (rows.length === 0) continue;
      const { columns, casts } = TABLES[table];
      const arrays = columns.map((_, c) => rows.map((row) => row[c]));
      // Arrays of enums and jsonb travel as text[] (drivers only know built-in array types) and
      // are cast per element.
      const asText = (cast: string) => cast === 'jsonb' || cast === 'credential_kind' || cast === 'varchar';
      const params = casts.map((cast, c) => sql`${arrays[c]}::${sql.ident(asText(cast) ? 'text' : cast)}[]`);
      const names = casts.map((_, c) => sql.ident(`c${c}`));
      const values = casts.map((cast, c) => (asText(cast) && cast !== 'varchar' ? sql`${names[c]}::${sql.ident(cast)}` : names[c]));
      const list = (fs: SqlFragment[]) => sql.join(fs, sql`, `);
      await this.db.query(named('seed.insertBatch')`
        INSERT INTO ${sql.ident(table)} (${list(columns.map((c) => sql.ident(c)))})
        SELECT ${list(values)} FROM unnest(${list(params)}) AS t(${list(names)})`);
      this.rows[table] = [];
    }
  }
}

export async function ensureDemoUsers(db: Queryable): Promise<void> {
  for (const u of DEMO_USERS) {
    const [row] = await db.query(named('seed.userExists')`SELECT 1 FROM users WHERE id = ${u.id}`);
    if (!row) await createUser(db, u);
  }
}

const BATCH = 2_000;

/** Writes `interceptions` interceptions (with children) for the demo users; returns how many. */
export async function seed(db: Db, opts: SeedOptions): Promise<number> {
  const total = Math.max(0, Math.floor(opts.interceptions));
  const r = mulberry32(opts.seed ?? 42);
  const endMicros = (opts.end ?? new Date('2026-11-20T12:00:00Z')).getTime() * 1000;
  const spanMicros = (opts.days ?? 30) * 86_400 * 1e6;
  await ensureDemoUsers(db);
  const initiators = DEMO_USERS.filter((u) => u.role === 'member' || u.username === 'admin').map((u) => u.id!);

  let written = 0;

  const writeAll = async (fn: (tx: Queryable) => Promise<void>) => (db.kind === 'pglite' ? db.transaction(fn) : fn(db));
  await writeAll(async (tx) => {
    const out = new Batches(tx);
    const add = out.add.bind(out);
    while (written < total) {
      const flavor = pick(r, FLAVORS);
      const initiator = pick(r, initiators);
      const client = pick(r, flavor.clients);
      // Clients that send a session key group several threads; the others get one thread each.
      const clientSession = client === 'Claude Code' || client === 'Codex' ? `sess-${uuid(r)}` : null;
      const threads = clientSession ? (r() < 0.05 ? int(r, 20, 70) : int(r, 1, 5)) : 1;
      const byok = r() < 0.2;
      const hint = byok ? `sk-${pick(r, ['a', 'b', 'p'])}...${uuid(r).slice(0, 4)}` : '';
      const apiKeyId = r() < 0.9 ? uuid(r).replace(/-/g, '').slice(0, 10) : null;
      let clock = endMicros - Math.floor(r() * spanMicros);

      for (let t = 0; t < threads && written < total; t++) {
        const loop = r() < 0.7 ? int(r, 2, 6) : 1; // interceptions in this agentic loop
        const rootId = uuid(r);
        let parentId: string | null = null;
        const model = pick(r, flavor.models);
        for (let step = 0; step < loop && written < total; step++) {
          const id = step === 0 ? rootId : uuid(r);
          // The last handful written stay in flight (ended_at NULL), started just before `end`,
          // as requests in flight are the newest: lists hide them unless asked.
          const inFlight = written >= total - 3;
          const started = inFlight ? endMicros - (total - written) * 1_000_000 : clock + int(r, 1, 900_000);
          const duration = int(r, 400_000, 45_000_000);
          const ended = inFlight ? null : started + duration;
          clock = started + duration + int(r, 0, 5_000_000);
          const responseId = flavor.toolStyle === 'anthropic' ? `msg_${uuid(r).replace(/-/g, '')}` : `resp_${uuid(r).replace(/-/g, '')}`;
          const metadata = r() < 0.5 ? {} : { request_id: uuid(r), stream: r() < 0.8, user_agent: client ?? 'unknown' };
          add('aibridge_interceptions', [
            id, initiator, flavor.provider, flavor.providerName, model, ts(started), ended === null ? null : ts(ended),
            JSON.stringify(metadata), apiKeyId, client, parentId, step === 0 ? null : rootId, clientSession,
            byok ? 'byok' : 'centralized', hint,
          ]);

          const usages = r() < 0.1 ? 2 : 1;
          for (let u = 0; u < usages; u++) {
            const cacheRead = r() < 0.7 ? int(r, 1_000, 120_000) : 0;
            const cacheWrite = r() < 0.3 ? int(r, 500, 20_000) : 0;
            const usageMeta = flavor.toolStyle === 'anthropic'
              ? { cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 }, service_tier: 'standard' }
              : { reasoning_tokens: int(r, 0, 4_000), accepted_prediction_tokens: 0 };
            add('aibridge_token_usages', [
              uuid(r), id, responseId, int(r, 50, 30_000), int(r, 20, 8_000), cacheRead, cacheWrite,
              JSON.stringify(usageMeta), ts(started + int(r, 100_000, duration)),
            ]);
          }
          if (step === 0) {
            add('aibridge_user_prompts', [uuid(r), id, responseId, pick(r, PROMPTS), JSON.stringify({}), ts(started + 1)]);
          }
          if (r() < 0.35) {
            add('aibridge_model_thoughts', [id, pick(r, THOUGHTS), null, ts(started + int(r, 10_000, 300_000))]);
          }
          // Every step but the last of a loop asks for tools; the next request answers them.
          if (step < loop - 1) {
            const calls = r() < 0.2 ? 2 : 1;
            for (let c = 0; c < calls; c++) {
              const injected = r() < 0.3;
              const mcp = pick(r, MCP_TOOLS);
              const tool = injected ? mcp.tool : pick(r, LOCAL_TOOLS);
              const callId = flavor.toolStyle === 'anthropic' ? `toolu_${uuid(r).replace(/-/g, '').slice(0, 24)}` : `call_${uuid(r).replace(/-/g, '').slice(0, 24)}`;
              add('aibridge_tool_usages', [
                uuid(r), id, responseId, callId, flavor.toolStyle === 'openai' ? `fc_${uuid(r).replace(/-/g, '')}` : null,
                tool, injected ? mcp.server : null, JSON.stringify({ path: `src/${pick(r, ['auth', 'billing', 'api'])}/index.ts`, attempt: c + 1 }),
                injected, injected && r() < 0.25 ? pick(r, ERRORS) : null, r() < 0.5 ? JSON.stringify({ duration_ms: int(r, 5, 9000) }) : null,
                ts(started + int(r, 200_000, duration)),
              ]);
            }
          }
          parentId = id;
          written++;
          if (out.size() >= BATCH) {
            await out.flush();
            opts.onProgress?.(written, total);
          }
        }
      }
    }
    await out.flush();
    opts.onProgress?.(written, total);
  });
  // What a current Coder schema adds (errors, firewall, costs, providers…), where it exists.
  await seedCurrentParts(db, await detectCapabilities(db), String(opts.seed ?? 42));
  return written;
}
