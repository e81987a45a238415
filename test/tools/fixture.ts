import { calcPrice } from '@pydantic/genai-prices';
import type { Queryable } from '../../src/db/db.ts';
import { addInterception, addTokenUsage, addToolUsage, addUser } from '../support/fixtures.ts';

const CODER = 'https://coder.example.com/api/experimental/mcp/http';
const GITHUB = 'https://api.githubcopilot.com/mcp/';
const LINEAR = 'https://mcp.linear.app/mcp';

type Who = 'alice' | 'bob';
interface Call { tool: string; server: string | null; injected: boolean; error: string | null }
interface Row {
  key: string; who: Who; provider: string; model: string; client: string | null; session: string; started: string; ended: string | null;
  /** [input, output, cacheRead, cacheWrite] */
  usages: [number, number, number, number][];
  calls: Call[];
}

const call = (tool: string, server: string | null = null, injected = false, error: string | null = null): Call => ({ tool, server, injected, error });

/**
 * Tool calls whose every figure can be computed by hand: an interception calling two tools (it
 * counts under each), one calling the same tool twice (it counts once), client-defined tools
 * with NULL and with '' as server URL (one group), invocation errors NULL, '' (no error) and
 * text, clients NULL and 'Unknown' (one key), a model without a price (copilot), an in-flight
 * request, a request without tool calls (it counts nowhere), and calls either side of New
 * York's spring-forward day (2026-03-08, 23 hours).
 */
export const ROWS: readonly Row[] = [
  { key: 'i1', who: 'alice', provider: 'anthropic', model: 'claude-sonnet-4-5', client: 'Claude Code', session: 's1', started: '2026-03-08T06:30:00.123456Z', ended: '2026-03-08T06:30:09Z',
    usages: [[1_200, 300, 5_000, 800]], calls: [call('Read'), call('coder_list_workspaces', CODER, true, 'tool execution timed out after 30s')] },
  { key: 'i2', who: 'alice', provider: 'anthropic', model: 'claude-sonnet-4-5', client: 'Claude Code', session: 's1', started: '2026-03-08T12:00:00Z', ended: '2026-03-08T12:00:04Z',
    usages: [[500, 200, 0, 0], [700, 100, 2_000, 0]], calls: [call('coder_list_workspaces', CODER, true), call('coder_list_workspaces', CODER, true, '')] },
  { key: 'i3', who: 'alice', provider: 'openai', model: 'gpt-4.1', client: null, session: 's2', started: '2026-03-09T03:30:00Z', ended: '2026-03-09T03:30:02Z',
    usages: [[900, 50, 100, 0]], calls: [call('github_create_pull_request', GITHUB, true, 'MCP server returned 502 Bad Gateway'), call('Edit', '')] },
  { key: 'i4', who: 'bob', provider: 'openai', model: 'gpt-4.1', client: 'Unknown', session: 's3', started: '2026-03-09T15:00:00Z', ended: '2026-03-09T15:00:01Z',
    usages: [[100, 10, 0, 0]], calls: [call('Bash')] },
  { key: 'i5', who: 'bob', provider: 'anthropic', model: 'claude-haiku-4-5', client: 'Cursor', session: 's3', started: '2026-03-10T09:00:00Z', ended: '2026-03-10T09:00:05Z',
    usages: [[2_000, 400, 0, 300]], calls: [call('linear_search_issues', LINEAR, true, 'permission denied'), call('linear_search_issues', LINEAR, true), call('Read')] },
  { key: 'i6', who: 'bob', provider: 'copilot', model: 'gpt-4.1', client: 'Copilot', session: 's4', started: '2026-03-10T10:00:00Z', ended: '2026-03-10T10:00:01Z',
    usages: [[50, 5, 0, 0]], calls: [call('Read')] },
  { key: 'i7', who: 'bob', provider: 'anthropic', model: 'claude-haiku-4-5', client: 'Cursor', session: 's5', started: '2026-03-10T11:00:00Z', ended: null,
    usages: [[10, 10, 0, 0]], calls: [call('Bash')] },
  { key: 'i8', who: 'alice', provider: 'anthropic', model: 'claude-sonnet-4-5', client: 'Claude Code', session: 's1', started: '2026-03-08T13:00:00Z', ended: '2026-03-08T13:00:01Z',
    usages: [[40_000, 900, 0, 0]], calls: [] },
];

export async function writeFixture(db: Queryable) {
  const users = {
    root: await addUser(db, { username: 'root', role: 'owner' }),
    audrey: await addUser(db, { username: 'audrey', role: 'auditor' }),
    alice: await addUser(db, { username: 'alice' }),
    bob: await addUser(db, { username: 'bob' }),
  };
  for (const r of ROWS) {
    const id = await addInterception(db, {
      initiatorId: users[r.who].id, provider: r.provider, model: r.model, startedAt: r.started, endedAt: r.ended, clientSessionId: r.session, client: r.client,
    });
    for (const [input, output, cacheRead, cacheWrite] of r.usages) await addTokenUsage(db, { interceptionId: id, input, output, cacheRead, cacheWrite, createdAt: r.started });
    for (const c of r.calls) {
      await addToolUsage(db, { interceptionId: id, tool: c.tool, serverUrl: c.server, injected: c.injected, invocationError: c.error, createdAt: r.started });
    }
  }
  return users;
}

/**
 * Micro-dollars of one usage row by Coder's formula, floor(tokens × price per million / 10^6)
 * per kind of token, with the package's published prices (none of these prompts reaches a
 * long-context tier); null when the model or a kind of token the row has is unpriced.
 */
function usageMicros(r: Row, [input, output, cacheRead, cacheWrite]: [number, number, number, number]): bigint | null {
  const price = calcPrice({ input_tokens: 1, output_tokens: 1 }, r.model, { providerId: r.provider, timestamp: new Date(r.started) })?.model_price;
  if (!price) return null;
  const perMillion = (p: unknown) => (p === undefined ? undefined : BigInt(Math.round((typeof p === 'number' ? p : (p as { base: number }).base) * 1e6)));
  const [pi, po, pr, pw] = [price.input_mtok, price.output_mtok, price.cache_read_mtok, price.cache_write_mtok].map(perMillion);
  if (pi === undefined || po === undefined || (cacheRead > 0 && pr === undefined) || (cacheWrite > 0 && pw === undefined)) return null;
  const m = (tokens: number, p: bigint | undefined) => (tokens === 0 ? 0n : (BigInt(tokens) * p!) / 1_000_000n);
  return m(input, pi) + m(output, po) + m(cacheRead, pr) + m(cacheWrite, pw);
}

export type Dimension = 'SERVER' | 'TOOL' | 'INJECTED' | 'MODEL' | 'INITIATOR' | 'CLIENT';

/** A group's key as [serverUrl, tool, injected, model, initiator username, client], null where not grouped. */
export function keyOf(dims: readonly Dimension[], r: Row, c: Call): (string | boolean | null)[] {
  const has = (d: Dimension) => dims.includes(d);
  return [
    has('SERVER') ? c.server ?? '' : null, has('TOOL') ? c.tool : null, has('INJECTED') ? c.injected : null,
    has('MODEL') ? r.model : null, has('INITIATOR') ? r.who : null, has('CLIENT') ? r.client ?? 'Unknown' : null,
  ];
}

export interface Expected {
  calls: number; invocationErrors: number; injectedCalls: number; requests: number; sessions: number;
  inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number;
  costMicros: bigint; unpricedRequests: number;
}

/** Figures of the calls of `rows`, per key (`dims`): each interception's tokens once per group it called in. */
export function expected(rows: readonly Row[], dims: readonly Dimension[]): Map<string, Expected> {
  const groups = new Map<string, { calls: Call[]; rows: Set<Row> }>();
  for (const r of rows.filter((x) => x.ended !== null)) {
    for (const c of r.calls) {
      const k = JSON.stringify(keyOf(dims, r, c));
      const g = groups.get(k) ?? { calls: [], rows: new Set<Row>() };
      g.calls.push(c);
      g.rows.add(r);
      groups.set(k, g);
    }
  }
  const out = new Map<string, Expected>();
  for (const [k, g] of groups) {
    const rs = [...g.rows];
    const usages = rs.flatMap((r) => r.usages.map((u) => ({ r, u })));
    const sum = (n: number) => usages.reduce((s, { u }) => s + u[n], 0);
    out.set(k, {
      calls: g.calls.length,
      invocationErrors: g.calls.filter((c) => c.error).length,
      injectedCalls: g.calls.filter((c) => c.injected).length,
      requests: rs.length,
      sessions: new Set(rs.map((r) => `${r.who} ${r.session}`)).size,
      inputTokens: sum(0), outputTokens: sum(1), cacheReadTokens: sum(2), cacheWriteTokens: sum(3),
      costMicros: usages.reduce((s, { r, u }) => s + (usageMicros(r, u) ?? 0n), 0n),
      unpricedRequests: rs.filter((r) => r.usages.some((u) => usageMicros(r, u) === null)).length,
    });
  }
  return out;
}
