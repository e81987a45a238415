import { expect, it } from 'vitest';
import { detectCapabilities } from '../src/db/capabilities.ts';
import { countErrorsByType } from '../src/domain/interception-outcome.ts';
import type { Viewer } from '../src/auth/viewer.ts';
import { describeEachGeneration } from './support/databases.ts';
import { countStatements } from './support/fixtures.ts';
import { seedFirewallScenario, type FirewallScenario } from './rest/firewall-scenario.ts';

let s: FirewallScenario;
const viewer = (id: string, seesAll: boolean): Viewer => ({ id, username: '', name: '', avatarUrl: '', roles: [], seesAll });
const zero = { bad_request: 0, unauthorized: 0, rate_limited: 0, overloaded: 0, server_error: 0, timeout: 0, unknown: 0 };

describeEachGeneration(
  'failed interceptions counted by error type (the analytics seam)',
  (ctx, generation) => {
    it('counts every type over what the filter and visibility select, zero where nothing failed or nothing is recorded', async () => {
      const { db } = ctx();
      const caps = await detectCapabilities(db);
      const { result, names } = await countStatements(db, () => countErrorsByType(db, caps, viewer(s.owner.id, true), {}));
      if (generation === 'seed-era') {
        expect(result).toEqual(zero);
        expect(names).toEqual([]);
        return;
      }
      expect(result).toEqual({ ...zero, rate_limited: 1, overloaded: 1 });
      expect(await countErrorsByType(db, caps, viewer(s.owner.id, true), { sessionId: 'fw-s2' })).toEqual({ ...zero, overloaded: 1 });
      expect(await countErrorsByType(db, caps, viewer(s.dave.id, false), {})).toEqual(zero);
    });
  },
  async (t, generation) => {
    // The seed-era schema cannot hold the scenario's errors; its users are enough there.
    s = generation === 'current' ? await seedFirewallScenario(t.db) : ({ owner: { id: '00000000-0000-4000-8000-000000000000' }, dave: { id: '00000000-0000-4000-8000-000000000000' } } as FirewallScenario);
  },
);
