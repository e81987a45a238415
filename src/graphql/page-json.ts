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
 * (a row per edge; what PostGraphile does), instead of a page statement, a children bundle and
 * ~3,400 resolved fields. W4 (a 100-interception page with its children) cost the gateway ~10 ms
 * of CPU per request that way; most of it was per-field resolution, result objects, pg row
 * parsing and garbage (bench/results/2026-11-30-w4.md).
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
 * Each node is built as JSON text in PostgreSQL, byte for byte what JSON.stringify writes for the
 * normal path's result (compact; to_json escapes strings as JSON.stringify does), so the gateway
 * neither parses nor re-serialises ~110 KB per W4 request (pg's JSON.parse and Yoga's stringify
 * were 13% of the gateway's CPU under load). Each object is ONE concat() call: a chain of `||`
 * allocates a text per operator and cost the database 3.7-4.2 ms of CPU per W4 page against
 * 2.5-2.9 ms for concat() (serial runs at 1M rows, 2026-11-30); cursors are written here (the
 * base64 in SQL was another 0.36 ms). Sending plain texts and writing all the JSON here instead
 * cost the database 1.8 ms but the gateway 1.5 ms more of its one thread, and under load the
 * gateway's thread is what queues (W4 req/s did not move). Two markers, control characters that
 * JSON text never holds unescaped, travel in it: JSON columns as stored come between MARK_JSON and
 * MARK_END, and are normalised as pg and JSON.stringify would (number forms, key order); a value
 * the normal path would fail on (a NULL in a non-null field, a counter past 2^53-1, a vanished
 * initiator) is BAD, and makes the caller fall back.
 */
const MARK_JSON = '\u0001';
const MARK_END = '\u0002';
const BAD = '\u0003';

/** A piece of a JSON text: literal text, or SQL giving text (never NULL: concat() would drop it). */
type Piece = string | SqlFragment;

/** One field: the pieces of its JSON text from the row under alias `a`. */
type Columns = Record<string, (a: SqlFragment) => Piece[]>;

const column = (a: SqlFragment, name: string) => sql`${a}.${sql.ident(name)}`;
const orBad = (json: SqlFragment, nullable: boolean) => sql`coalesce(${json}, ${nullable ? 'null' : BAD}::text)`;
const str = (name: string, nullable = false) => (a: SqlFragment) => [orBad(sql`to_json(${column(a, name)})::text`, nullable)];
/** A uuid needs no escaping; the cast makes sure the column is one. */
const uuid = (name: string) => (a: SqlFragment) => ['"', orBad(sql`${column(a, name)}::uuid::text`, false), '"'];
/** `2026-04-01 12:34:56.789012+00` → `"2026-04-01T12:34:56.789012Z"`, as rfc3339() (src/domain/values.ts) does. */
const time = (name: string, nullable = false) => (a: SqlFragment) => {
  const text = sql`replace(replace(${column(a, name)}::text, ' ', 'T'), '+00', 'Z')`;
  return nullable ? [orBad(sql`'"' || ${text} || '"'`, true)] : ['"', orBad(text, false), '"'];
};
const bool = (name: string) => (a: SqlFragment) => [orBad(sql`${column(a, name)}::text`, false)];
const safeInt = (name: string) => (a: SqlFragment) => [
  sql`CASE WHEN abs(${column(a, name)}) <= 9007199254740991 THEN ${column(a, name)}::text ELSE ${BAD}::text END`,
];
const json = (name: string) => (a: SqlFragment) => [
  sql`CASE WHEN ${column(a, name)} IS NULL THEN 'null' ELSE ${MARK_JSON}::text || ${column(a, name)}::text || ${MARK_END}::text END`,
];
const globalId = (typename: string) => (a: SqlFragment) => ['"', sql`encode(convert_to(${typename}::text || ':' || ${a}.id::text, 'UTF8'), 'base64')`, '"'];
const typename = (name: string) => () => [JSON.stringify(name)];

const INTERCEPTION: Columns = {
  __typename: typename('Interception'),
  id: globalId('Interception'),
  uuid: uuid('id'),
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
  uuid: uuid('id'),
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
      id: uuid('id'),
      interceptionId: uuid('interception_id'),
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
      id: uuid('id'),
      interceptionId: uuid('interception_id'),
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
      id: uuid('id'),
      interceptionId: uuid('interception_id'),
      providerResponseId: str('provider_response_id'),
      prompt: str('prompt'),
      metadata: json('metadata'),
      createdAt: time('created_at'),
    },
  },
};

const PAGE_INFO_FIELDS = new Set(['__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']);

/** Keys per object at most: a GraphQL selection has no use for more, and a statement stays small. */
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

/** concat() takes at most 100 arguments (FUNC_MAX_ARGS). */
const MAX_ARGS = 100;

/** Pieces as ONE text expression: adjacent literals joined, the rest concat()'s arguments (nested past MAX_ARGS). */
function textOf(pieces: Piece[]): SqlFragment {
  const args: SqlFragment[] = [];
  let literal = '';
  for (const p of pieces) {
    if (typeof p === 'string') {
      literal += p;
      continue;
    }
    if (literal) args.push(sql`${literal}::text`);
    literal = '';
    args.push(p);
  }
  if (literal) args.push(sql`${literal}::text`);
  if (args.length === 1) return args[0];
  const groups: SqlFragment[] = [];
  for (let n = 0; n < args.length; n += MAX_ARGS) groups.push(sql`concat(${sql.join(args.slice(n, n + MAX_ARGS), sql`, `)})`);
  return groups.length === 1 ? groups[0] : textOf(groups);
}

/** `{"k1":v1,"k2":v2}` as pieces (keys are GraphQL names: nothing to escape). */
function objectPieces(members: [string, Piece[]][]): Piece[] {
  return [...members.flatMap(([key, pieces], n) => [`${n === 0 ? '{' : ','}"${key}":`, ...pieces]), '}'];
}

/** A JSON object of columns of `a`, or undefined when a field is not in `columns`. */
function objectOf(set: SelectionSetNode | undefined, columns: Columns, a: SqlFragment): Piece[] | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const members: [string, Piece[]][] = [];
  for (const [key, f] of fields) {
    const pieces = columns[f.name.value];
    if (!pieces || f.selectionSet) return undefined;
    members.push([key, pieces(a)]);
  }
  return objectPieces(members);
}

/** The interception's JSON text; `users` is set when the initiator is selected (the statement joins it). */
function nodeOf(set: SelectionSetNode | undefined, needs: { users: boolean }): SqlFragment | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const members: [string, Piece[]][] = [];
  for (const [key, f] of fields) {
    const name = f.name.value;
    let pieces: Piece[] | undefined;
    if (INTERCEPTION[name]) {
      if (f.selectionSet) return undefined;
      pieces = INTERCEPTION[name](sql`i`);
    } else if (name === 'initiator') {
      needs.users = true;
      const user = objectOf(f.selectionSet, USER, sql`u`);
      pieces = user && [sql`CASE WHEN u.id IS NULL THEN ${BAD}::text ELSE ${textOf(user)} END`];
    } else if (CHILDREN[name]) {
      const { table, columns } = CHILDREN[name];
      const row = objectOf(f.selectionSet, columns, sql`t`);
      pieces = row && [
        '[',
        sql`(SELECT coalesce(string_agg(${textOf(row)}, ',' ORDER BY t.created_at, t.id), '') FROM ${table} t WHERE t.interception_id = i.id)`,
        ']',
      ];
    }
    if (!pieces) return undefined;
    members.push([key, pieces]);
  }
  return textOf(objectPieces(members));
}

/** One member of an edge, written here: `{"key":` or `,"key":`, then its value from the edge's row. */
interface EdgeMember {
  prefix: string;
  value: (row: EdgeRow) => string;
}

/** A row of the page statement: the edge's position (what its cursor carries) and its node's JSON text. */
interface EdgeRow {
  at: string;
  id: string;
  node: string | null;
}

/** The edge's members; the node's JSON text is the statement's (`node` gets it). */
function edgeOf(set: SelectionSetNode | undefined, needs: { users: boolean }, node: { text?: SqlFragment }): EdgeMember[] | undefined {
  const fields = plainFields(set);
  if (!fields) return undefined;
  const members: EdgeMember[] = [];
  for (const [key, f] of fields) {
    const name = f.name.value;
    let value: EdgeMember['value'] | undefined;
    if (name === 'cursor') value = (row) => `"${encodeCursor({ startedAt: row.at, id: row.id })}"`;
    else if (name === '__typename') value = () => '"InterceptionEdge"';
    // One node text per row: a second `node` under another key is left to the normal execution.
    else if (name === 'node' && !node.text) {
      node.text = nodeOf(f.selectionSet, needs);
      value = node.text && ((row) => row.node ?? BAD);
    }
    if (!value) return undefined;
    members.push({ prefix: `${members.length === 0 ? '{' : ','}"${key}":`, value });
  }
  return members;
}

/** How to answer an operation: its response key, the `interceptions` field, the edge's members and its node's JSON text. */
interface Plan {
  key: string;
  field: FieldNode;
  /** Connection fields in order: edges (from the rows), pageInfo (built here), __typename. */
  fields: [string, FieldNode][];
  edge: EdgeMember[] | undefined;
  node: SqlFragment | undefined;
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
  const node: { text?: SqlFragment } = {};
  let edge: EdgeMember[] | undefined;
  for (const [, f] of fields) {
    const name = f.name.value;
    if (name === 'edges') {
      // A second `edges` under another key would need the rows twice: not worth a plan.
      if (edge) return undefined;
      edge = edgeOf(f.selectionSet, needs, node);
      if (!edge) return undefined;
    } else if (name === 'pageInfo') {
      const info = plainFields(f.selectionSet);
      if (!info || !info.every(([, i]) => PAGE_INFO_FIELDS.has(i.name.value))) return undefined;
    } else if (name !== '__typename') {
      return undefined;
    }
  }
  return { key: field.alias?.value ?? field.name.value, field, fields, edge, node: node.text, users: needs.users };
}

/** Plans by operation: Yoga hands the same parsed document for a repeated query text. */
const plans = new WeakMap<OperationDefinitionNode, Plan | null>();

function cachedPlan(operation: OperationDefinitionNode): Plan | undefined {
  let plan = plans.get(operation);
  if (plan === undefined) plans.set(operation, (plan = planOf(operation) ?? null));
  return plan ?? undefined;
}

type Page = ReturnType<typeof keysetArgs<TimeIdCursor>>;

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

/** The page's rows in list order (newest first), at most `page.limit`, and whether more lie beyond. */
async function readPage(ctx: GraphQLContext, plan: Plan, filter: InterceptionFilter, page: Page): Promise<{ rows: EdgeRow[]; more: boolean }> {
  const where = [interceptionConditions(ctx.viewer, filter)];
  if (page.after) where.push(sql`(i.started_at, i.id) < (${page.after.startedAt}::timestamptz, ${page.after.id}::uuid)`);
  if (page.before) where.push(sql`(i.started_at, i.id) > (${page.before.startedAt}::timestamptz, ${page.before.id}::uuid)`);
  const order = page.fromEnd ? sql`i.started_at ASC, i.id ASC` : sql`i.started_at DESC, i.id DESC`;
  const users = plan.users ? sql`LEFT JOIN users u ON u.id = i.initiator_id` : sql``;
  const found = await ctx.db.query<EdgeRow>(named('interceptions.pageJson')`
    SELECT i.started_at::text AS at, i.id::text AS id, ${plan.node ?? sql`NULL::text`} AS node
      FROM aibridge_interceptions i ${users}
     WHERE ${sql.join(where, sql` AND `)} ORDER BY ${order} LIMIT ${page.limit + 1}`);
  const rows = found.slice(0, page.limit);
  if (page.fromEnd) rows.reverse();
  return { rows, more: found.length > page.limit };
}

const STORED_JSON = new RegExp(`${MARK_JSON}([^${MARK_END}]*)${MARK_END}`, 'g');

/**
 * The connection's JSON text in the selection's key order (pageInfo as connection() in
 * ./pagination.ts computes it), stored JSON normalised; undefined when a value is BAD.
 */
function connectionText(plan: Plan, page: Page, { rows, more }: { rows: EdgeRow[]; more: boolean }): string | undefined {
  let edges = '[';
  if (plan.edge) {
    for (let n = 0; n < rows.length; n++) {
      let edge = n === 0 ? '' : ',';
      for (const m of plan.edge) edge += m.prefix + m.value(rows[n]);
      edges += `${edge}}`;
    }
  }
  edges += ']';
  if (edges.includes(BAD)) return undefined;
  if (edges.includes(MARK_JSON)) edges = edges.replace(STORED_JSON, (_, stored: string) => JSON.stringify(JSON.parse(stored)));
  const first = rows[0];
  const last = rows[rows.length - 1];
  const info: Record<string, unknown> = {
    __typename: 'PageInfo',
    hasNextPage: page.fromEnd ? page.before !== undefined : more,
    hasPreviousPage: page.fromEnd ? more : page.after !== undefined,
    startCursor: first ? encodeCursor({ startedAt: first.at, id: first.id }) : null,
    endCursor: last ? encodeCursor({ startedAt: last.at, id: last.id }) : null,
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
