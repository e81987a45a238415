import { expect, it } from 'vitest';
import { sql } from '../../src/db/sql.ts';
import { tokenTotalsBySource } from '../../src/domain/token-totals.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addTokenUsage, addUser } from '../support/fixtures.ts';

/**
 * Token totals per group (src/domain/token-totals.ts), over metadata of every JSON shape: the
 * walk descends into objects only, sums integer leaves per dotted path (exactly, past 2^53),
 * skips everything else without failing, and lists paths in byte order.
 */

const ids = { a1: '', a2: '', b1: '', empty: '' };

describeEachDb(
  'token totals',
  (ctx) => {
    it('sums counters and integer metadata leaves per group, whatever the metadata holds', async () => {
      const source = sql`SELECT g AS grp, x AS interception_id FROM unnest(${['a', 'a', 'b', 'e']}::text[], ${[ids.a1, ids.a2, ids.b1, ids.empty]}::uuid[]) AS s(g, x)`;
      const totals = await tokenTotalsBySource(ctx().db, 'test', source, ['a', 'b', 'e', 'none']);
      expect(Object.fromEntries(totals)).toEqual({
        a: {
          input: '9007199254740993', output: '3', cacheRead: '0', cacheWrite: '5',
          metadata: {
            B: '1',
            _x: '-2',
            a: '9007199254740993',
            'a.b': '7',
            'a.b.c.d': '4',
            'a_c': '1',
          },
        },
        b: { input: '0', output: '0', cacheRead: '0', cacheWrite: '0', metadata: {} },
        e: { input: '0', output: '0', cacheRead: '0', cacheWrite: '0', metadata: {} },
        none: { input: '0', output: '0', cacheRead: '0', cacheWrite: '0', metadata: {} },
      });
      // byte order, as Go sorts map keys: uppercase, underscore, lowercase; '.' before '_'
      expect(Object.keys(totals.get('a')!.metadata)).toEqual(['B', '_x', 'a', 'a.b', 'a.b.c.d', 'a_c']);
    });
  },
  async ({ db }) => {
    const user = await addUser(db, { username: 'u' });
    const add = (clientSessionId: string) => addInterception(db, { initiatorId: user.id, startedAt: '2026-05-01T00:00:00Z', clientSessionId });
    [ids.a1, ids.a2, ids.b1, ids.empty] = [await add('a'), await add('a'), await add('b'), await add('e')];
    const at = '2026-05-01T00:00:01Z';
    await addTokenUsage(db, { interceptionId: ids.a1, input: '9007199254740992', output: 1, cacheWrite: 5, createdAt: at,
      metadata: { a: 9007199254740992, B: 1, a_c: 1, _x: -3, note: 'text', ratio: 0.5, flag: true, none: null, list: [1, { z: 2 }] } });
    await addTokenUsage(db, { interceptionId: ids.a1, input: 1, output: 2, createdAt: at,
      metadata: { a: { b: { c: { d: 4 } } }, _x: 1, 'a.b': 7, whole: 2.5 } });
    // the root itself a number, an array, JSON null, SQL NULL: contribute counters only
    await addTokenUsage(db, { interceptionId: ids.a2, createdAt: at, metadata: 5 });
    await addTokenUsage(db, { interceptionId: ids.a2, createdAt: at, metadata: [1, 2, { a: 1 }] });
    await addTokenUsage(db, { interceptionId: ids.a2, input: 0, createdAt: at, metadata: null });
    await addTokenUsage(db, { interceptionId: ids.a2, createdAt: at, metadata: { a: 1 } });
    await addTokenUsage(db, { interceptionId: ids.b1, createdAt: at });
  },
);
