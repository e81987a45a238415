import { createPostgresDb } from './src/db/postgres.ts';
import { usageReport } from './src/domain/usage/report.ts';
import { priceBook } from './src/prices/book.ts';
import { prismaOver } from './src/prices/prisma.ts';
import pg from 'pg';
const url = 'postgres://postgres@127.0.0.1:23456/bench1m';
const db = createPostgresDb({ url, max: 2 });
const viewer = { id: '00000000-0000-4000-8000-000000000001', username: 'admin', name: '', avatarUrl: '', roles: ['owner'], seesAll: true };
const stmts: any[] = [];
db.onStatement = (s) => stmts.push(s);
const args = JSON.parse(process.argv[2] ?? '{}');
let t = performance.now();
await usageReport(db, viewer, priceBook(prismaOver(db)), { filter: { startedAfter: '2026-10-20T00:00:00Z' }, groupBy: ['INITIATOR'], timeZone: 'UTC', orderBy: { field: 'COST', direction: 'DESC' }, first: 10 }, { totals: false, groups: true, sessions: false, users: false, durations: false, usages: true, tools: false });
console.log('total', performance.now() - t);
const c = new pg.Client({ connectionString: url });
await c.connect();
await c.query('SET jit = off');
for (const s of stmts) {
  const r = await c.query({ text: 'EXPLAIN (ANALYZE, BUFFERS) ' + s.text, values: [...s.values] });
  console.log(s.name, '\n' + r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
}
await c.end(); await db.close();
