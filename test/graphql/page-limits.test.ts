import { getNamedType, isObjectType, type GraphQLField } from 'graphql';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { schema } from '../../src/graphql/index.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addUser } from '../support/fixtures.ts';
import { named } from '../../src/db/sql.ts';
import { gql } from '../support/http.ts';

/**
 * Every GraphQL connection is charged (complexity per node) exactly the page it really returns:
 * its default size when no `first`/`last` is given, and its maximum, past which it refuses with
 * BAD_USER_INPUT. The sizes are read from behaviour, not from src/limits.ts, so a connection
 * whose resolver and complexity disagree fails here; a new connection without a row below
 * fails too.
 */

/** How to reach each connection from the root, `ARGS` standing for its arguments. */
const PATHS: Record<string, string> = {
  'Query.interceptions': '{ c: interceptions ARGS { ...page } }',
  'Query.sessions': '{ c: sessions ARGS { ...page } }',
  'User.interceptions': '{ viewer { c: interceptions ARGS { ...page } } }',
  'User.sessions': '{ viewer { c: sessions ARGS { ...page } } }',
  // The newest session is the large one (below), so sessions(first: 1) reaches it.
  'Session.interceptions': '{ sessions(first: 1) { edges { node { c: interceptions ARGS { ...page } } } } }',
  'Session.threads': '{ sessions(first: 1) { edges { node { c: threads ARGS { ...page } } } } }',
  'Session.networkCallLogs': '{ sessions(first: 1) { edges { node { c: networkCallLogs ARGS { ...page } } } } }',
  'Query.modelPrices': '{ c: modelPrices ARGS { ...page } }',
};

function connectionFields(): [string, GraphQLField<unknown, unknown>][] {
  const out: [string, GraphQLField<unknown, unknown>][] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (getNamedType(field.type).name.endsWith('Connection')) out.push([`${type.name}.${field.name}`, field]);
    }
  }
  return out;
}

/** The multiplier the complexity plugin charges for these arguments. */
function charged(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  const complexity = field.extensions.complexity as (args: Record<string, unknown>) => { multiplier: number };
  return complexity(args).multiplier;
}

const PAGE = 'fragment page on Connection { edges { cursor } pageInfo { hasNextPage } }';

let owner: { id: string; token: string };

describeEachDb(
  'GraphQL page limits',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const run = (path: string, args: string) =>
      gql(app(), `${PATHS[path].replace('ARGS', args)} ${PAGE.replace('Connection', connectionTypeOf(path))}`, undefined, owner.token);

    it('has a test path for every connection in the schema', () => {
      expect(connectionFields().map(([name]) => name).sort()).toEqual(Object.keys(PATHS).sort());
    });

    it.each(connectionFields().map(([name, field]) => [name, field] as const))(
      '%s is charged its real default page and maximum',
      async (name, field) => {
        const defaultCharge = charged(field, {});
        const maxCharge = charged(field, { first: 1_000_000 });

        const byDefault = await run(name, '');
        expect(byDefault.body.errors).toBeUndefined();
        const page = pageOf(byDefault.body.data);
        // The data holds more rows than any default page, so a full page comes back.
        expect(page.pageInfo.hasNextPage).toBe(true);
        expect(page.edges).toHaveLength(defaultCharge);

        const atMax = await run(name, `(first: ${maxCharge})`);
        expect(atMax.body.errors).toBeUndefined();
        const overMax = await run(name, `(first: ${maxCharge + 1})`);
        expect(overMax.body.errors?.[0]).toMatchObject({
          message: expect.stringContaining(`between 0 and ${maxCharge}`),
          extensions: { code: 'BAD_USER_INPUT' },
        });
        expect(charged(field, { last: 3 })).toBe(3);
      },
    );
  },
  async ({ db }) => {
    // The current schema: Session.networkCallLogs needs Agent Firewall data to fill a page.
    owner = await addUser(db, { username: 'owner', role: 'owner' });
    // One large session (the most recently active): 101 interceptions, each its own thread, more
    // than the interception (100) and thread (50) defaults.
    for (let n = 0; n < 101; n++) {
      const startedAt = new Date(Date.UTC(2026, 5, 2, 0, 0, n)).toISOString();
      await addInterception(db, { initiatorId: owner.id, clientSessionId: 'large', startedAt });
    }
    // Its first interception went through the Agent Firewall and made 150 calls (more than the default 100).
    await db.query(named('test')`UPDATE aibridge_interceptions SET agent_firewall_session_id = 'f0000000-0000-4000-8000-000000000000', agent_firewall_sequence_number = 0
      WHERE id = (SELECT id FROM aibridge_interceptions WHERE client_session_id = 'large' ORDER BY started_at LIMIT 1)`);
    await db.query(named('test')`INSERT INTO boundary_logs (id, session_id, sequence_number, captured_at, created_at, detail, matched_rule)
      SELECT gen_random_uuid(), 'f0000000-0000-4000-8000-000000000000', n, now(), now(), 'https://x.test/', 'r' FROM generate_series(1, 150) AS n`);
    // 101 price overrides, more than the modelPrices default (100).
    await db.exec(`INSERT INTO gateway_model_prices (provider, model, effective_from, input_price)
      SELECT 'openai', 'model-' || n, '2026-01-01', n FROM generate_series(1, 101) n`);
    // 50 older sessions of one interception: 51 sessions in all, more than the sessions default (50).
    for (let n = 0; n < 50; n++) {
      const startedAt = new Date(Date.UTC(2026, 5, 1, 0, 0, n)).toISOString();
      await addInterception(db, { initiatorId: owner.id, clientSessionId: `small-${n}`, startedAt });
    }
  },
  'current',
);

function connectionTypeOf(path: string): string {
  const [type, field] = path.split('.') as [string, string];
  const object = schema.getType(type);
  if (!isObjectType(object)) throw new Error(`${type} is not an object type`);
  return getNamedType(object.getFields()[field].type).name;
}

/** The `c` connection wherever the path put it. */
function pageOf(data: unknown): { edges: unknown[]; pageInfo: { hasNextPage: boolean } } {
  let node = data as Record<string, unknown>;
  for (;;) {
    if ('c' in node) return node.c as { edges: unknown[]; pageInfo: { hasNextPage: boolean } };
    const next = node.viewer ?? node.sessions;
    if (next) node = next as Record<string, unknown>;
    else if ('edges' in node) node = (node.edges as { node: Record<string, unknown> }[])[0].node;
    else throw new Error('no connection in the answer');
  }
}
