import type { Queryable } from '../../src/db/db.ts';
import { named } from '../../src/db/sql.ts';
import { addBoundaryLog, setOutcome } from '../support/current-fixtures.ts';
import { addInterception, addUser } from '../support/fixtures.ts';

/**
 * A hand-checkable current-schema data set for Agent Firewall windows and upstream errors.
 *
 * Firewall session FW1 is shared by two AI sessions of carol: `fw-s1` (I1 at sequence 10, I3 at
 * 30) and `fw-s2` (I2 at 20, and in-flight I4 at 40). Windows: I1 (10, 20), I2 (20, 30),
 * I3 (30, 40); I4's (40, ∞) belongs to no completed interception. `fw-s3` (I5 on FW2 at 1, no
 * later interception: open-ended). `fw-hosts` (I6 on FW3) holds host-extraction cases.
 * `fw-none` (I7) never went through the firewall. `fw-cap` (I8 on FW4) has 1005 calls.
 * `fw-quiet` (I9 on FW2 at 5000000) went through the firewall and made no call.
 */
export const FW = {
  FW1: 'f1000000-0000-4000-8000-000000000001',
  FW2: 'f2000000-0000-4000-8000-000000000002',
  FW3: 'f3000000-0000-4000-8000-000000000003',
  FW4: 'f4000000-0000-4000-8000-000000000004',
  I1: '11000000-0000-4000-8000-000000000001',
  I2: '12000000-0000-4000-8000-000000000002',
  I3: '13000000-0000-4000-8000-000000000003',
  I4: '14000000-0000-4000-8000-000000000004',
  I5: '15000000-0000-4000-8000-000000000005',
  I6: '16000000-0000-4000-8000-000000000006',
  I7: '17000000-0000-4000-8000-000000000007',
  I8: '18000000-0000-4000-8000-000000000008',
  I9: '19000000-0000-4000-8000-000000000009',
  log: (n: number) => `aa000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
} as const;

export interface FirewallScenario {
  owner: { id: string; token: string };
  carol: { id: string; token: string };
  dave: { id: string; token: string };
}

const at = (second: number) => new Date(Date.UTC(2026, 4, 1, 12, 0, 0) + second * 1000).toISOString();

export async function seedFirewallScenario(db: Queryable): Promise<FirewallScenario> {
  const owner = await addUser(db, { username: 'fw-owner', role: 'owner' });
  const carol = await addUser(db, { username: 'carol', role: 'member' });
  const dave = await addUser(db, { username: 'dave', role: 'member' });
  const interception = (id: string, session: string, second: number, ended = true) =>
    addInterception(db, { id, initiatorId: carol.id, clientSessionId: session, startedAt: at(second), endedAt: ended ? at(second + 5) : null });
  await interception(FW.I1, 'fw-s1', 0);
  await interception(FW.I2, 'fw-s2', 20);
  await interception(FW.I3, 'fw-s1', 40);
  await interception(FW.I4, 'fw-s2', 60, false);
  await interception(FW.I5, 'fw-s3', 80);
  await interception(FW.I6, 'fw-hosts', 100);
  await interception(FW.I7, 'fw-none', 120);
  await interception(FW.I8, 'fw-cap', 140);
  await interception(FW.I9, 'fw-quiet', 160);
  // Upstream errors: type and message (I1), message without a type (I3: shows nothing), type only (I2).
  await setOutcome(db, FW.I1, { errorType: 'rate_limited', errorMessage: 'Too many requests <slow down>', firewallSessionId: FW.FW1, firewallSequence: 10 });
  await setOutcome(db, FW.I2, { errorType: 'overloaded', firewallSessionId: FW.FW1, firewallSequence: 20 });
  await setOutcome(db, FW.I3, { errorMessage: 'stray message', firewallSessionId: FW.FW1, firewallSequence: 30 });
  await setOutcome(db, FW.I4, { firewallSessionId: FW.FW1, firewallSequence: 40 });
  await setOutcome(db, FW.I5, { firewallSessionId: FW.FW2, firewallSequence: 1 });
  await setOutcome(db, FW.I6, { firewallSessionId: FW.FW3, firewallSequence: 0 });
  await setOutcome(db, FW.I8, { firewallSessionId: FW.FW4, firewallSequence: 0 });
  await setOutcome(db, FW.I9, { firewallSessionId: FW.FW2, firewallSequence: 5_000_000 });

  const log = (n: number, f: Omit<Parameters<typeof addBoundaryLog>[1], 'createdAt' | 'id'> & { second?: number }) =>
    addBoundaryLog(db, { ...f, id: FW.log(n), createdAt: at(f.second ?? n) });
  // FW1
  await log(1, { sessionId: FW.FW1, sequenceNumber: 5, detail: 'https://before.test/' });
  await log(2, { sessionId: FW.FW1, sequenceNumber: 10, detail: 'https://equal-to-i1.test/' });
  await log(3, { sessionId: FW.FW1, sequenceNumber: 11, detail: 'https://api.github.com:8080/repos' });
  await log(4, { sessionId: FW.FW1, sequenceNumber: 12, detail: 'api.github.com/x', matchedRule: null, method: 'POST' });
  await log(5, { sessionId: FW.FW1, sequenceNumber: 15, proto: 'dns', method: 'A', detail: 'github.com' });
  await log(6, { sessionId: FW.FW1, sequenceNumber: 19, detail: 'https://example.com?x=1' });
  await log(7, { sessionId: FW.FW1, sequenceNumber: 20, detail: 'https://equal-to-i2.test/' });
  await log(8, { sessionId: FW.FW1, sequenceNumber: 21, detail: 'http://evil.test#frag', matchedRule: null });
  await log(9, { sessionId: FW.FW1, sequenceNumber: 31, detail: '' });
  await log(10, { sessionId: FW.FW1, sequenceNumber: 35, detail: 'https://example.com/path', second: 3 });
  await log(11, { sessionId: FW.FW1, sequenceNumber: 41, detail: 'https://in-flight-owner.test/' });
  // FW2: open-ended after I5
  await log(20, { sessionId: FW.FW2, sequenceNumber: 2, proto: 'dns', detail: 'a.test', matchedRule: null });
  await log(21, { sessionId: FW.FW2, sequenceNumber: 1_000_000, detail: 'https://far.test/' });
  // FW3: host extraction
  const hosts = ['https://api.github.com:8080/repos', 'api.github.com/x', 'https://example.com?x=1', '', 'localhost:3000', 'ftp://files.test/a', 'HTTPS://Example.COM#top'];
  for (const [n, detail] of hosts.entries()) await log(30 + n, { sessionId: FW.FW3, sequenceNumber: n + 1, detail });
  // FW4: more calls than Coder lists (created in reverse of sequence order: the earliest by time come last)
  await db.query(named('test')`INSERT INTO boundary_logs (id, session_id, sequence_number, captured_at, created_at, proto, method, detail, matched_rule)
    SELECT ('aa000000-0000-4000-8000-' || lpad((1000 + n)::text, 12, '0'))::uuid, ${FW.FW4}::uuid, n + 1,
           ${at(2000)}::timestamptz - n * interval '1 second', ${at(2000)}::timestamptz - n * interval '1 second', 'http', 'GET',
           'https://h' || (n % 3) || '.test/', CASE WHEN n % 2 = 1 THEN NULL ELSE 'r' END
      FROM generate_series(0, 1004) AS n`);
  return { owner, carol, dave };
}
