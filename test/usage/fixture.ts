import type { Queryable } from '../../src/db/db.ts';
import { addInterception, addTokenUsage, addToolUsage, addUser } from '../support/fixtures.ts';

/**
 * A small data set whose every figure can be computed by hand: a member (alice) and another
 * (bob), cache-heavy Anthropic requests on the New York DST day, an OpenAI request with cache
 * reads, a token sum above 2^31, a long-context request (Sonnet's tier above 200k prompt
 * tokens), an unpriced model (copilot), an in-flight request, requests either side of a price
 * override's start, and usages unpriced only because the override lacks their kind's price.
 */
export const ROWS = [
  // interception key, initiator, provider, model, started, ended (null = in flight), usages [input, output, cacheRead, cacheWrite]
  { key: 'a1', who: 'alice', provider: 'anthropic', model: 'claude-opus-4-1', started: '2026-03-08T06:30:00.123456Z', ended: '2026-03-08T06:30:05Z', session: 's-alice', usages: [[3_000_000_000, 1_000, 2_000_000, 500_000], [120, 80, 150_000, 0]] },
  { key: 'a2', who: 'alice', provider: 'openai', model: 'gpt-4.1', started: '2026-03-08T12:00:00Z', ended: '2026-03-08T12:00:02Z', session: 's-alice', usages: [[1_000, 50, 4_000, 0]] },
  { key: 'a3', who: 'alice', provider: 'anthropic', model: 'claude-sonnet-4-5', started: '2026-03-08T15:00:00Z', ended: '2026-03-08T15:00:10Z', session: 's-long', usages: [[150_000, 2_000, 60_000, 10_000], [1_000, 500, 20_000, 2_000]] },
  { key: 'b1', who: 'bob', provider: 'copilot', model: 'gpt-4.1', started: '2026-03-09T01:00:00Z', ended: '2026-03-09T01:00:01Z', session: 's-bob', usages: [[100, 10, 0, 0]] },
  { key: 'b2', who: 'bob', provider: 'openai', model: 'gpt-4.1', started: '2026-03-20T10:00:00Z', ended: '2026-03-20T10:00:03Z', session: 's-bob', usages: [[2_000_000, 100_000, 1_000_000, 0]] },
  // After the override, whose cache-write price is unknown: the two usages with cache writes are
  // unpriced, the third is priced; the request counts once as unpriced.
  { key: 'b4', who: 'bob', provider: 'openai', model: 'gpt-4.1', started: '2026-03-20T11:00:00Z', ended: '2026-03-20T11:00:01Z', session: 's-bob', usages: [[100, 10, 0, 50], [100, 10, 0, 60], [1_000, 100, 0, 0]] },
  { key: 'b3', who: 'bob', provider: 'anthropic', model: 'claude-haiku-4-5', started: '2026-03-21T10:00:00Z', ended: null, session: 's-bob', usages: [[10, 10, 0, 0]] },
] as const;

/** The override set in tests: gpt-4.1 costs this from 2026-03-15 on (micro-USD per million). */
export const OVERRIDE = { provider: 'openai', model: 'gpt-4.1', effectiveFrom: '2026-03-15T00:00:00Z', input: 1_000_000, output: 4_000_000, cacheRead: 250_000, cacheWrite: null };

export async function writeFixture(db: Queryable) {
  const users = {
    root: await addUser(db, { username: 'root', role: 'owner' }),
    audrey: await addUser(db, { username: 'audrey', role: 'auditor' }),
    alice: await addUser(db, { username: 'alice' }),
    bob: await addUser(db, { username: 'bob' }),
  };
  const ids: Record<string, string> = {};
  for (const r of ROWS) {
    ids[r.key] = await addInterception(db, {
      initiatorId: users[r.who].id, provider: r.provider, model: r.model, startedAt: r.started, endedAt: r.ended,
      clientSessionId: r.session, client: r.who === 'bob' ? null : 'Claude Code',
    });
    for (const [input, output, cacheRead, cacheWrite] of r.usages) {
      await addTokenUsage(db, { interceptionId: ids[r.key], input, output, cacheRead, cacheWrite, createdAt: r.started });
    }
  }
  await addToolUsage(db, { interceptionId: ids.a1, tool: 'Read', createdAt: '2026-03-08T06:30:01Z' });
  await addToolUsage(db, { interceptionId: ids.a1, tool: 'coder_list_workspaces', injected: true, invocationError: 'boom', createdAt: '2026-03-08T06:30:02Z' });
  await addToolUsage(db, { interceptionId: ids.a2, tool: 'Edit', invocationError: '', createdAt: '2026-03-08T12:00:01Z' });
  return { users, ids };
}
