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
import { interceptionConditions, type InterceptionFilter } from '../domain/interception-filter.ts';
import { named, sql, type SqlFragment } from '../db/sql.ts';
import { INTERCEPTION_PAGE } from '../limits.ts';
import { LIMITS } from './builder.ts';
import type { GraphQLContext } from './context.ts';
import { encodeCursor, isTimeIdCursor, keysetArgs, type ConnectionArgs, type TimeIdCursor } from './pagination.ts';
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

/**
 * The page is built as JSON text in PostgreSQL, byte for byte what JSON.stringify writes for the
 * normal path's result (compact; to_json escapes strings as JSON.stringify does), so the gateway
 * neither parses nor re-serialises ~110 KB per W4 request (pg's JSON.parse and Yoga's stringify
 * were 13% of the gateway's CPU under load). Two markers, control characters that JSON text
 * never holds unescaped, travel in it: JSON columns as stored come between MARK_JSON and
 * MARK_END, and are normalised as pg and JSON.stringify would (number forms, key order); a value
 * the normal path would fail on (a NULL in a non-null field, a counter past 2^53-1, a vanished
 * initiator) is BAD, and makes the caller fall back.
 */
const MARK_JSON = '\u0001';
const MARK_END = '\u0002';
const BAD = '\u0003';

/** One field: its JSON text from the row under alias `a`. */
type Columns = Record<string, (a: SqlFragment) => SqlFragment>;

const column = (a: SqlFragment, name: string) => sql`${a}.${sql.ident(name)}`;
const orBad = (json: SqlFragment, nullable: boolean) => sql`coalesce(${json}, ${nullable ? 'null' : BAD}::text)`;
const str = (name: string, nullable = false) => (a: SqlFragment) => orBad(sql`to_json(${column(a, name)})::text`, nullable);
/** `2026-04-01 12:34:56.789012+00` → `"2026-04-01T12:34:56.789012Z"`, as rfc3339() (src/domain/values.ts) does. */
const time = (name: string, nullable = false) => (a: SqlFragment) =>
  orBad(sql`'"' || replace(replace(${column(a, name)}::text, ' ', 'T'), '+00', 'Z') || '"'`, nullable);
const bool = (name: string) => (a: SqlFragment) => orBad(sql`${column(a, name)}::text`, false);
const safeInt = (name: string) => (a: SqlFragment) =>
  sql`CASE WHEN abs(${column(a, name)}) <= 9007199254740991 THEN ${column(a, name)}::text ELSE ${BAD}::text END`;
const json = (name: string) => (a: SqlFragment) =>
  sql`CASE WHEN ${column(a, name)} IS NULL THEN 'null' ELSE ${MARK_JSON}::text || ${column(a, name)}::text || ${MARK_END}::text END`;
const globalId = (typename: string) => (a: SqlFragment) => sql`'"' || encode(convert_to(${typename}::text || ':' || ${a}.id::text, 'UTF8'), 'base64') || '"'`;
const typename = (name: string) => () => sql`${JSON.stringify(name)}::text`;

const INTERCEPTION: Columns = {
  __typename: typename('Interception'),
  id: globalId('Interception'),
  uuid: str('id'),
  provider: str('provider'),
  providerName: str('provider_name'),
  model: str('model'),
  client: str('client', true),
  metadata: json('metadata'),
  startedAt: time('started_at'),
  endedAt: time('ended_at', true),
  apiKeyId: str('api_key_id', true),
  sessionId: str('session_id'),
};

const USER: Columns = {
  __typename: typename('User'),
  id: globalId('User'),
  uuid: str('id'),
  username: str('username'),
  name: str('name'),
  avatarUrl: str('avatar_url'),
};

interface ChildList {
  table: SqlFragment;
  columns: Columns;
}

const CHILDREN: Record<string, ChildList> = {
  tokenUsages: {
    table: sql`aibridge_token_usages`,
    columns: {
      __typename: typename('TokenUsage'),
      id: str('id'),
      interceptionId: str('interception_id'),
      providerResponseId: str('provider_response_id'),
      inputTokens: safeInt('input_tokens'),
      outputTokens: safeInt('output_tokens'),
      cacheReadInputTokens: safeInt('cache_read_input_tokens'),
      cacheWriteInputTokens: safeInt('cache_write_input_tokens'),
      metadata: json('metadata'),
      createdAt: time('created_at'),
    },
  },
  toolUsages: {
    table: sql`aibridge_tool_usages`,
    columns: {
      __typename: typename('ToolUsage'),
      id: str('id'),
      interceptionId: str('interception_id'),
      providerResponseId: str('provider_response_id'),
      providerToolCallId: str('provider_tool_call_id', true),
      providerItemId: str('provider_item_id', true),
      tool: str('tool'),
      serverUrl: str('server_url', true),
      input: str('input'),
      injected: bool('injected'),
      invocationError: str('invocation_error', true),
      metadata: json('metadata'),
      createdAt: time('created_at'),
    },
  },
  userPrompts: {
    table: sql`aibridge_user_prompts`,
    columns: {
      __typename: typename('UserPrompt'),
      id: str('id'),
      interceptionId: str('interception_id'),
      providerResponseId: str('provider_response_id'),
      prompt: str('prompt'),
      metadata: json('metadata'),
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

/** `{"k1":v1,"k2":v2}` as SQL text concatenation (keys are GraphQL names: nothing to escape). */
function objectText(members: [string, SqlFragment][]): SqlFragment {
  const parts = members.map(([key, expr], n) => sql`${`${n === 0 ? '{' : ','}"${key}":`}::text || ${expr}`);
  return sql`(${sql.join(parts, sql` || `)} || '}')`;
}

/** A JSON object of columns of `a`, or undefined when a field is not in `columns`. */
function objectOf(set: SelectionSetNode | undefined, columns: Columns, a: SqlFragment): SqlFragment | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const members: [string, SqlFragment][] = [];
  for (const [key, f] of fields) {
    const expr = columns[f.name.value];
    if (!expr || f.selectionSet) return undefined;
    members.push([key, expr(a)]);
  }
  return objectText(members);
}

/** The interception's fields; `users` is set when the initiator is selected (the statement joins it). */
function nodeOf(set: SelectionSetNode | undefined, needs: { users: boolean }): SqlFragment | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const members: [string, SqlFragment][] = [];
  for (const [key, f] of fields) {
    const name = f.name.value;
    let expr: SqlFragment | undefined;
    if (INTERCEPTION[name]) {
      if (f.selectionSet) return undefined;
      expr = INTERCEPTION[name](sql`p`);
    } else if (name === 'initiator') {
      needs.users = true;
      const user = objectOf(f.selectionSet, USER, sql`u`);
      expr = user && sql`CASE WHEN u.id IS NULL THEN ${BAD}::text ELSE ${user} END`;
    } else if (CHILDREN[name]) {
      const { table, columns } = CHILDREN[name];
      const row = objectOf(f.selectionSet, columns, sql`t`);
      expr = row && sql`(SELECT '[' || coalesce(string_agg(${row}, ',' ORDER BY t.created_at, t.id), '') || ']'
        FROM ${table} t WHERE t.interception_id = p.id)`;
    }
    if (!expr) return undefined;
    members.push([key, expr]);
  }
  return objectText(members);
}

const CURSOR = sql`'"' || rtrim(translate(encode(convert_to('{"startedAt":"' || p.started_at::text || '","id":"' || p.id::text || '"}', 'UTF8'), 'base64'), E'+/\n', '-_'), '=') || '"'`;

function edgeOf(set: SelectionSetNode | undefined, needs: { users: boolean }): SqlFragment | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const members: [string, SqlFragment][] = [];
  for (const [key, f] of fields) {
    const name = f.name.value;
    const expr =
      name === 'cursor' ? CURSOR
      : name === 'node' ? nodeOf(f.selectionSet, needs)
      : name === '__typename' ? typename('InterceptionEdge')()
      : undefined;
    if (!expr) return undefined;
    members.push([key, expr]);
  }
  return objectText(members);
}

/** How to answer an operation: its response key, the `interceptions` field, and the edge's JSON text. */
interface Plan {
  key: string;
  field: FieldNode;
  /** Connection fields in order: edges (the statement's text), pageInfo (built here), __typename. */
  fields: [string, FieldNode][];
  edge: SqlFragment | undefined;
  users: boolean;
}

function planOf(operation: OperationDefinitionNode): Plan | undefined {
  if (operation.operation !== OperationTypeNode.QUERY || operation.directives?.length) return undefined;
  const { selections } = operation.selectionSet;
  const field = selections[0];
  if (selections.length !== 1 || field.kind !== Kind.FIELD || field.name.value !== 'interceptions' || field.directives?.length) return undefined;
  const fields = plainFields(field.selectionSet);
  if (!fields) return undefined;
  const needs = { users: false };
  let edge: SqlFragment | undefined;
  for (const [, f] of fields) {
    const name = f.name.value;
    if (name === 'edges') {
      // A second `edges` under another key would need the rows twice: not worth a plan.
      if (edge) return undefined;
      edge = edgeOf(f.selectionSet, needs);
      if (!edge) return undefined;
    } else if (name === 'pageInfo') {
      const info = plainFields(f.selectionSet);
      if (!info || !info.every(([, i]) => PAGE_INFO_FIELDS.has(i.name.value))) return undefined;
    } else if (name !== '__typename') {
      return undefined;
    }
  }
  return { key: field.alias?.value ?? field.name.value, field, fields, edge, users: needs.users };
}

/** Plans by operation: Yoga hands the same parsed document for a repeated query text. */
const plans = new WeakMap<OperationDefinitionNode, Plan | null>();

function cachedPlan(operation: OperationDefinitionNode): Plan | undefined {
  let plan = plans.get(operation);
  if (plan === undefined) plans.set(operation, (plan = planOf(operation) ?? null));
  return plan ?? undefined;
}

type Page = ReturnType<typeof keysetArgs<TimeIdCursor>>;

interface PageTextRow {
  edges: string;
  more: boolean;
  first: TimeIdCursor | null;
  last: TimeIdCursor | null;
}

/**
 * JSON text standing for a value in a result: Yoga serialises results through their `stringify`
 * (see resultOf), which writes the text as it is; any other serialiser gets the parsed value.
 */
class JsonText {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** `{ data: { [key]: text } }`, written by Yoga as JSON.stringify would write the parsed value. */
function resultOf(key: string, text: string): ExecutionResult {
  return {
    data: { [key]: new JsonText(text) },
    // Yoga's serialiser calls a result's own `stringify` (graphql-yoga's jsonStringifyResultWithoutInternals).
    stringify: (result: Record<string, unknown>) => {
      const members: string[] = [];
      for (const [k, v] of Object.entries(result)) {
        if (v === undefined || typeof v === 'function') continue;
        const value =
          k === 'data' ? `{${Object.entries(v as Record<string, unknown>).map(([dk, dv]) => `${JSON.stringify(dk)}:${dv instanceof JsonText ? dv.text : JSON.stringify(dv)}`).join(',')}}`
          : JSON.stringify(v);
        members.push(`${JSON.stringify(k)}:${value}`);
      }
      return `{${members.join(',')}}`;
    },
  } as ExecutionResult;
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
    const text = connectionText(plan, page, await readPage(ctx, plan, filter, page));
    return text === undefined ? undefined : resultOf(plan.key, text);
  } catch {
    return undefined;
  }
}

async function readPage(ctx: GraphQLContext, plan: Plan, filter: InterceptionFilter, page: Page): Promise<PageTextRow> {
  const where = [interceptionConditions(ctx.viewer, filter)];
  if (page.after) where.push(sql`(i.started_at, i.id) < (${page.after.startedAt}::timestamptz, ${page.after.id}::uuid)`);
  if (page.before) where.push(sql`(i.started_at, i.id) > (${page.before.startedAt}::timestamptz, ${page.before.id}::uuid)`);
  const order = page.fromEnd ? sql`i.started_at ASC, i.id ASC` : sql`i.started_at DESC, i.id DESC`;
  const users = plan.users ? sql`LEFT JOIN users u ON u.id = p.initiator_id` : sql``;
  const edges = plan.edge ? sql`(SELECT '[' || coalesce(string_agg(${plan.edge}, ',' ORDER BY p.started_at DESC, p.id DESC), '') || ']' FROM p ${users})` : sql`'[]'`;
  const key = (dir: SqlFragment) => sql`(SELECT json_build_object('startedAt', p.started_at::text, 'id', p.id) FROM p ORDER BY ${dir} LIMIT 1)`;
  const [row] = await ctx.db.query<PageTextRow>(named('interceptions.pageJson')`
    WITH r AS (
      SELECT i.*, row_number() OVER (ORDER BY ${order}) AS n FROM aibridge_interceptions i
       WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order} LIMIT ${page.limit + 1}
    ), p AS (SELECT * FROM r WHERE n <= ${page.limit})
    SELECT ${edges} AS edges, EXISTS (SELECT 1 FROM r WHERE n > ${page.limit}) AS more,
           ${key(sql`p.started_at DESC, p.id DESC`)} AS first, ${key(sql`p.started_at ASC, p.id ASC`)} AS last`);
  return row;
}

const STORED_JSON = new RegExp(`${MARK_JSON}([^${MARK_END}]*)${MARK_END}`, 'g');

/**
 * The connection's JSON text in the selection's key order (pageInfo as connection() in
 * ./pagination.ts computes it), stored JSON normalised; undefined when a value is BAD.
 */
function connectionText(plan: Plan, page: Page, row: PageTextRow): string | undefined {
  if (row.edges.includes(BAD)) return undefined;
  const edges = row.edges.includes(MARK_JSON) ? row.edges.replace(STORED_JSON, (_, stored: string) => JSON.stringify(JSON.parse(stored))) : row.edges;
  const info: Record<string, unknown> = {
    __typename: 'PageInfo',
    hasNextPage: page.fromEnd ? page.before !== undefined : row.more,
    hasPreviousPage: page.fromEnd ? row.more : page.after !== undefined,
    startCursor: row.first ? encodeCursor({ startedAt: row.first.startedAt, id: row.first.id }) : null,
    endCursor: row.last ? encodeCursor({ startedAt: row.last.startedAt, id: row.last.id }) : null,
  };
  const members = plan.fields.map(([key, f]) => {
    const name = f.name.value;
    const value =
      name === 'edges' ? edges
      : name === '__typename' ? '"InterceptionConnection"'
      : JSON.stringify(Object.fromEntries(plainFields(f.selectionSet)!.map(([k, i]) => [k, info[i.name.value]])));
    return `"${key}":${value}`;
  });
  return `{${members.join(',')}}`;
}
