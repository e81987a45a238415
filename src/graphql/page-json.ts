import { complexityFromQuery } from '@pothos/plugin-complexity';
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type OperationDefinitionNode,
  OperationTypeNode,
  type SelectionSetNode,
} from 'graphql';
import { interceptionConditions } from '../domain/interception-filter.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { INTERCEPTION_PAGE } from '../limits.ts';
import { LIMITS } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { encodeCursor, isTimeIdCursor, keysetArgs, type ConnectionArgs } from './pagination.ts';
import { toFilter, type InterceptionFilterArg } from './types/interception-filter.ts';

/**
 * The root `interceptions` connection answered from ONE statement whose JSON PostgreSQL builds
 * (what PostGraphile does), instead of a page statement, a children bundle and ~3,400 resolved
 * fields. W4 (a 100-interception page with its children) cost the gateway ~10 ms of CPU per
 * request that way; most of it was per-field resolution, result objects, pg row parsing and
 * garbage (bench/results/2026-11-30-w4.md).
 *
 * Only operations whose whole selection is covered here take this path: one query operation
 * selecting only `interceptions` (aliases allowed), with plain fields the table below knows (no
 * fragments, directives or repeated response keys), within the query limits. Anything else, and
 * anything unusual at run time (invalid arguments or variables, a failed statement, an initiator
 * that is gone, a counter past SafeInt), returns undefined: the caller runs the normal execution,
 * which answers (or fails) exactly as before. Values are formatted as the scalars format them
 * (test/graphql/page-json.test.ts compares both paths byte for byte).
 */

/** One response key: a JSON expression, or a nested object or list built from its own fields. */
type Columns = Record<string, (a: SqlFragment) => SqlFragment>;

/** `2026-04-01 12:34:56.789012+00` → `2026-04-01T12:34:56.789012Z`, as rfc3339() (src/domain/values.ts) does. */
const dateTime = (c: SqlFragment) => sql`replace(replace(${c}::text, ' ', 'T'), '+00', 'Z')`;
const globalId = (typename: string) => (a: SqlFragment) => sql`encode(convert_to(${typename}::text || ':' || ${a}.id::text, 'UTF8'), 'base64')`;
const col = (name: string) => (a: SqlFragment) => sql`${a}.${sql.ident(name)}`;
const time = (name: string) => (a: SqlFragment) => dateTime(sql`${a}.${sql.ident(name)}`);
const typename = (name: string) => () => sql`${name}::text`;

const INTERCEPTION: Columns = {
  __typename: typename('Interception'),
  id: globalId('Interception'),
  uuid: col('id'),
  provider: col('provider'),
  providerName: col('provider_name'),
  model: col('model'),
  client: col('client'),
  metadata: col('metadata'),
  startedAt: time('started_at'),
  endedAt: time('ended_at'),
  apiKeyId: col('api_key_id'),
  sessionId: col('session_id'),
};

const USER: Columns = {
  __typename: typename('User'),
  id: globalId('User'),
  uuid: col('id'),
  username: col('username'),
  name: col('name'),
  avatarUrl: col('avatar_url'),
};

const SAFE_INTS = ['inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheWriteInputTokens'];

interface ChildList {
  table: string;
  columns: Columns;
}

const CHILDREN: Record<string, ChildList> = {
  tokenUsages: {
    table: 'aibridge_token_usages',
    columns: {
      __typename: typename('TokenUsage'),
      id: col('id'),
      interceptionId: col('interception_id'),
      providerResponseId: col('provider_response_id'),
      inputTokens: col('input_tokens'),
      outputTokens: col('output_tokens'),
      cacheReadInputTokens: col('cache_read_input_tokens'),
      cacheWriteInputTokens: col('cache_write_input_tokens'),
      metadata: col('metadata'),
      createdAt: time('created_at'),
    },
  },
  toolUsages: {
    table: 'aibridge_tool_usages',
    columns: {
      __typename: typename('ToolUsage'),
      id: col('id'),
      interceptionId: col('interception_id'),
      providerResponseId: col('provider_response_id'),
      providerToolCallId: col('provider_tool_call_id'),
      providerItemId: col('provider_item_id'),
      tool: col('tool'),
      serverUrl: col('server_url'),
      input: col('input'),
      injected: col('injected'),
      invocationError: col('invocation_error'),
      metadata: col('metadata'),
      createdAt: time('created_at'),
    },
  },
  userPrompts: {
    table: 'aibridge_user_prompts',
    columns: {
      __typename: typename('UserPrompt'),
      id: col('id'),
      interceptionId: col('interception_id'),
      providerResponseId: col('provider_response_id'),
      prompt: col('prompt'),
      metadata: col('metadata'),
      createdAt: time('created_at'),
    },
  },
};

const PAGE_INFO_FIELDS = new Set(['__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']);

/** json_build_object takes at most 100 arguments. */
const MAX_KEYS = 50;

/** The plain fields of a selection set as [response key, field], or undefined when it holds anything else. */
function plainFields(set: SelectionSetNode | undefined): [string, FieldNode][] | undefined {
  if (!set || set.selections.length > MAX_KEYS) return undefined;
  const out: [string, FieldNode][] = [];
  const keys = new Set<string>();
  for (const s of set.selections) {
    if (s.kind !== Kind.FIELD || s.directives?.length || s.arguments?.length) return undefined;
    const key = s.alias?.value ?? s.name.value;
    if (keys.has(key)) return undefined;
    keys.add(key);
    out.push([key, s]);
  }
  return out;
}

/** What a statement must also check (rows the normal path would fail on). */
interface Checks {
  initiator: boolean;
  /**
   * SafeInt counters as [node key, list key, field keys]: checked on the parsed JSON, where a
   * value past 2^53-1 cannot come back as a safe integer (the normal path fails on it).
   */
  safeInts: [string, string, string[]][];
}

/** A JSON object of scalar columns of `a`, or undefined when a field is not in `columns`. */
function objectOf(set: SelectionSetNode | undefined, columns: Columns, a: SqlFragment): SqlFragment | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const args: SqlFragment[] = [];
  for (const [key, f] of fields) {
    const expr = columns[f.name.value];
    if (!expr || f.selectionSet) return undefined;
    args.push(sql`${key}::text, ${expr(a)}`);
  }
  return sql`json_build_object(${sql.join(args, sql`, `)})`;
}

function nodeOf(nodeKey: string, set: SelectionSetNode | undefined, checks: Checks): SqlFragment | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const args: SqlFragment[] = [];
  for (const [key, f] of fields) {
    const name = f.name.value;
    let expr: SqlFragment | undefined;
    if (INTERCEPTION[name]) {
      if (f.selectionSet) return undefined;
      expr = INTERCEPTION[name](sql`p`);
    } else if (name === 'initiator') {
      checks.initiator = true;
      expr = objectOf(f.selectionSet, USER, sql`u`);
    } else if (CHILDREN[name]) {
      const { table, columns } = CHILDREN[name];
      const row = objectOf(f.selectionSet, columns, sql`t`);
      if (row && name === 'tokenUsages') {
        const counters = plainFields(f.selectionSet)!.filter(([, c]) => SAFE_INTS.includes(c.name.value)).map(([k]) => k);
        if (counters.length) checks.safeInts.push([nodeKey, key, counters]);
      }
      expr = row && sql`(SELECT coalesce(json_agg(${row} ORDER BY t.created_at, t.id), '[]'::json)
        FROM ${sql.ident(table)} t WHERE t.interception_id = p.id)`;
    }
    if (!expr) return undefined;
    args.push(sql`${key}::text, ${expr}`);
  }
  return sql`json_build_object(${sql.join(args, sql`, `)})`;
}

const CURSOR = sql`rtrim(translate(encode(convert_to('{"startedAt":"' || p.started_at::text || '","id":"' || p.id::text || '"}', 'UTF8'), 'base64'), E'+/\n', '-_'), '=')`;

function edgeOf(set: SelectionSetNode | undefined, checks: Checks): SqlFragment | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const args: SqlFragment[] = [];
  for (const [key, f] of fields) {
    const name = f.name.value;
    const expr =
      name === 'cursor' ? CURSOR
      : name === 'node' ? nodeOf(key, f.selectionSet, checks)
      : name === '__typename' ? sql`'InterceptionEdge'::text`
      : undefined;
    if (!expr) return undefined;
    args.push(sql`${key}::text, ${expr}`);
  }
  return sql`json_build_object(${sql.join(args, sql`, `)})`;
}

/** How to answer an operation: its response key, the `interceptions` field, and the edge's JSON. */
interface Plan {
  key: string;
  field: FieldNode;
  /** Connection fields in order: edges (the statement's JSON), pageInfo (built here), __typename. */
  fields: [string, FieldNode][];
  edge: SqlFragment | undefined;
  checks: Checks;
}

function planOf(operation: OperationDefinitionNode): Plan | undefined {
  if (operation.operation !== OperationTypeNode.QUERY || operation.directives?.length) return undefined;
  const { selections } = operation.selectionSet;
  const field = selections[0];
  if (selections.length !== 1 || field.kind !== Kind.FIELD || field.name.value !== 'interceptions' || field.directives?.length) return undefined;
  const fields = plainFields(field.selectionSet);
  if (!fields) return undefined;
  const checks: Checks = { initiator: false, safeInts: [] };
  let edge: SqlFragment | undefined;
  for (const [, f] of fields) {
    const name = f.name.value;
    if (name === 'edges') {
      // A second `edges` under another key would need the rows twice: not worth a plan.
      if (edge) return undefined;
      edge = edgeOf(f.selectionSet, checks);
      if (!edge) return undefined;
    } else if (name === 'pageInfo') {
      const info = plainFields(f.selectionSet);
      if (!info || !info.every(([, i]) => PAGE_INFO_FIELDS.has(i.name.value))) return undefined;
    } else if (name !== '__typename') {
      return undefined;
    }
  }
  return { key: field.alias?.value ?? field.name.value, field, fields, edge, checks };
}

/** Plans by operation: Yoga hands the same parsed document for a repeated query text. */
const plans = new WeakMap<OperationDefinitionNode, Plan | null>();

function cachedPlan(operation: OperationDefinitionNode): Plan | undefined {
  let plan = plans.get(operation);
  if (plan === undefined) plans.set(operation, (plan = planOf(operation) ?? null));
  return plan ?? undefined;
}

interface PageJsonRow {
  edges: unknown[];
  more: boolean;
  first: { startedAt: string; id: string } | null;
  last: { startedAt: string; id: string } | null;
  ok: boolean;
}

/**
 * The operation's result, or undefined when the normal execution must answer it (see above).
 * Called with the arguments execution gets, after validation and authentication.
 */
export async function interceptionsPageJson(args: ExecutionArgs): Promise<ExecutionResult | undefined> {
  const operation = getOperationAST(args.document, args.operationName);
  const plan = operation && cachedPlan(operation);
  if (!plan) return undefined;
  const ctx = args.contextValue as GraphQLContext;
  try {
    const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {}, { maxErrors: 1 });
    if (coerced.errors) return undefined;
    const variables = coerced.coerced;
    const only: DocumentNode = { ...args.document, definitions: [operation] };
    const cost = complexityFromQuery(only, { schema: args.schema, ctx, variables: args.variableValues ?? {} });
    if (cost.complexity > LIMITS.complexity || cost.depth > LIMITS.depth || cost.breadth > LIMITS.breadth) return undefined;
    const fieldDef = args.schema.getQueryType()!.getFields().interceptions;
    const fieldArgs = getArgumentValues(fieldDef, plan.field, variables) as ConnectionArgs & { filter?: InterceptionFilterArg | null };
    const page = keysetArgs(fieldArgs, INTERCEPTION_PAGE, isTimeIdCursor);
    const filter = await toFilter(ctx, fieldArgs.filter);
    const row = await readPage(ctx, plan, filter, page);
    if (!row.ok || !safeIntegers(plan, row.edges)) return undefined;
    return { data: { [plan.key]: connectionOf(plan, page, row) } };
  } catch {
    return undefined;
  }
}

async function readPage(ctx: GraphQLContext, plan: Plan, filter: Awaited<ReturnType<typeof toFilter>>, page: ReturnType<typeof keysetArgs<{ startedAt: string; id: string }>>): Promise<PageJsonRow> {
  const where = [interceptionConditions(ctx.viewer, filter)];
  if (page.after) where.push(sql`(i.started_at, i.id) < (${page.after.startedAt}::timestamptz, ${page.after.id}::uuid)`);
  if (page.before) where.push(sql`(i.started_at, i.id) > (${page.before.startedAt}::timestamptz, ${page.before.id}::uuid)`);
  const order = page.fromEnd ? sql`i.started_at ASC, i.id ASC` : sql`i.started_at DESC, i.id DESC`;
  const { initiator } = plan.checks;
  const users = initiator ? sql`LEFT JOIN users u ON u.id = p.initiator_id` : sql``;
  const checks: SqlFragment[] = [];
  if (initiator) checks.push(sql`NOT EXISTS (SELECT 1 FROM p LEFT JOIN users u ON u.id = p.initiator_id WHERE u.id IS NULL)`);
  const edges = plan.edge ? sql`(SELECT coalesce(json_agg(${plan.edge} ORDER BY p.started_at DESC, p.id DESC), '[]'::json) FROM p ${users})` : sql`'[]'::json`;
  const key = (dir: SqlFragment) => sql`(SELECT json_build_object('startedAt', p.started_at::text, 'id', p.id) FROM p ORDER BY ${dir} LIMIT 1)`;
  const [row] = await ctx.db.query<PageJsonRow>(named('interceptions.pageJson')`
    WITH r AS (
      SELECT i.*, row_number() OVER (ORDER BY ${order}) AS n FROM aibridge_interceptions i
       WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order} LIMIT ${page.limit + 1}
    ), p AS (SELECT * FROM r WHERE n <= ${page.limit})
    SELECT ${edges} AS edges, (SELECT count(*) FROM r) > ${page.limit} AS more,
           ${key(sql`p.started_at DESC, p.id DESC`)} AS first, ${key(sql`p.started_at ASC, p.id ASC`)} AS last,
           ${checks.length ? sql.join(checks, sql` AND `) : sql`TRUE`} AS ok`);
  return row;
}

function safeIntegers(plan: Plan, edges: unknown[]): boolean {
  for (const [nodeKey, listKey, keys] of plan.checks.safeInts) {
    for (const edge of edges as Record<string, Record<string, Record<string, unknown>[]>>[]) {
      for (const usage of edge[nodeKey][listKey]) for (const k of keys) if (!Number.isSafeInteger(usage[k])) return false;
    }
  }
  return true;
}

/** The connection object in the selection's key order; pageInfo as connection() (./pagination.ts) computes it. */
function connectionOf(plan: Plan, page: ReturnType<typeof keysetArgs<{ startedAt: string; id: string }>>, row: PageJsonRow): Record<string, unknown> {
  const info: Record<string, unknown> = {
    __typename: 'PageInfo',
    hasNextPage: page.fromEnd ? page.before !== undefined : row.more,
    hasPreviousPage: page.fromEnd ? row.more : page.after !== undefined,
    startCursor: row.first ? encodeCursor({ startedAt: row.first.startedAt, id: row.first.id }) : null,
    endCursor: row.last ? encodeCursor({ startedAt: row.last.startedAt, id: row.last.id }) : null,
  };
  const out: Record<string, unknown> = {};
  for (const [key, f] of plan.fields) {
    const name = f.name.value;
    if (name === 'edges') out[key] = row.edges;
    else if (name === '__typename') out[key] = 'InterceptionConnection';
    else out[key] = Object.fromEntries(plainFields(f.selectionSet)!.map(([k, i]) => [k, info[i.name.value]]));
  }
  return out;
}
