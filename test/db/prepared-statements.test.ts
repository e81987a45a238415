import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createPostgresDb, PREPARED_PER_CONNECTION } from '../../src/db/postgres.ts';
import { seed } from '../../src/db/seed.ts';
import { named } from '../../src/db/sql.ts';
import { createToken } from '../../src/db/users.ts';
import { createTestDb } from '../support/databases.ts';
import { gql } from '../support/http.ts';

/**
 * The hot statements (auth.apiKey, interceptions.pageJson) run as named prepared statements on
 * PostgreSQL (src/db/postgres.ts). A client choosing ever-new selections must not grow a
 * connection's prepared statements without bound, and answers must not change once prepared.
 */
describe.runIf(process.env.TEST_DATABASE_URL)('PostgreSQL: prepared hot statements', () => {
  it(`keeps at most ${PREPARED_PER_CONNECTION} prepared statements per connection, answering as unprepared`, async () => {
    const t = await createTestDb('postgres');
    try {
      await seed(t.db, { interceptions: 40, end: new Date('2026-11-20T12:00:00Z') });
      const token = await createToken(t.db, 'admin');
      // One connection: the statements below see its prepared statements.
      const db = createPostgresDb({ url: t.url!, max: 1 });
      try {
        const app = createApp({ db, prisma: null });
        const reference = createApp({ db: t.db, prisma: null, pageJson: false });
        const fields = ['uuid', 'model', 'provider', 'client', 'startedAt', 'endedAt', 'metadata', 'apiKeyId', 'sessionId', 'providerName'];
        for (let i = 0; i < 2 * PREPARED_PER_CONNECTION + 3; i++) {
          // Distinct sets of fields: distinct statement texts (keys and page sizes are bound values).
          const query = `query { interceptions(first: ${1 + (i % 5)}) { edges { node { ${fields.filter((_, b) => (i + 1) & (1 << b)).join(' ')} } } } }`;
          for (let repeat = 0; repeat < 2; repeat++) {
            const got = await gql(app, query, undefined, token);
            expect(got.text).toBe((await gql(reference, query, undefined, token)).text);
          }
        }
        const [{ n }] = await db.query<{ n: string }>(named('test')`SELECT count(*)::text AS n FROM pg_prepared_statements`);
        expect(Number(n)).toBeGreaterThan(1);
        expect(Number(n)).toBeLessThanOrEqual(PREPARED_PER_CONNECTION);
      } finally {
        await db.close();
      }
    } finally {
      await t.close();
    }
  });
});
