import { expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { describeCapabilities, detectCapabilities, SEED_ERA_CAPABILITIES, type Capabilities } from '../src/db/capabilities.ts';
import { DatabaseUnavailableError, type Queryable } from '../src/db/db.ts';
import { SchemaProbe } from '../src/db/schema-probe.ts';
import { named } from '../src/db/sql.ts';
import { describeEachDb, describeEachGeneration } from './support/databases.ts';
import { call } from './support/http.ts';

const ALL = Object.fromEntries(Object.keys(SEED_ERA_CAPABILITIES).map((k) => [k, true])) as unknown as Capabilities;

describeEachGeneration('schema capabilities', (ctx, generation) => {
  const expected = generation === 'current' ? ALL : SEED_ERA_CAPABILITIES;

  it('detects exactly the optional Coder parts the generation holds, in one statement', async () => {
    const sent: string[] = [];
    const db: Queryable = { query: (s) => (sent.push(s.name), ctx().db.query(s)) };
    expect(await detectCapabilities(db)).toEqual(expected);
    expect(sent).toEqual(['schema.capabilities']);
  });

  it('lists the detected parts in /readyz', async () => {
    const ready = await call(createApp({ db: ctx().db }), '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', capabilities: Object.keys(expected).filter((k) => expected[k as keyof Capabilities]) });
  });

  it('says in one log line what it found and what it did not', () => {
    const line = describeCapabilities(expected);
    expect(line).not.toMatch(/\n/);
    expect(line).toMatch(generation === 'current' ? /detected interceptionErrors, .*workspaceId of the optional/ : /detected none .*absent: interceptionErrors, /);
  });
});

describeEachDb('schema probe', (ctx) => {
  it('detects again after a statement meets a column that is gone (a restored or downgraded database)', async () => {
    const { db } = ctx();
    const probe = new SchemaProbe(db);
    const watched = probe.watching(db);
    expect((await probe.current()).workspaceId).toBe(true);
    await db.exec('ALTER TABLE aibridge_interceptions DROP COLUMN workspace_id');
    await expect(watched.query(named('test')`SELECT workspace_id FROM aibridge_interceptions`)).rejects.toThrow(/workspace_id/);
    expect((await probe.current()).workspaceId).toBe(false);
  });

  it('detects again after the connection was lost, and keeps what it knows otherwise', async () => {
    const names: string[] = [];
    let down = false;
    const db: Queryable = {
      query: (s) => {
        names.push(s.name);
        return down && s.name !== 'schema.capabilities' ? Promise.reject(new DatabaseUnavailableError(new Error('gone'))) : ctx().db.query(s);
      },
    };
    const probe = new SchemaProbe(db);
    const watched = probe.watching(db);
    await probe.current();
    await probe.current();
    expect(names).toEqual(['schema.capabilities']);
    down = true;
    await expect(watched.query(named('test')`SELECT 1`)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(probe.detected()).toBeNull();
    await probe.current();
    expect(names.filter((n) => n === 'schema.capabilities')).toHaveLength(2);
  });
}, undefined, 'current');
