import type { Queryable } from '../../src/db/db.ts';
import { addInterception, addPrompt, addThought, addTokenUsage, addToolUsage } from '../support/fixtures.ts';

export interface SessionFixture {
  sessionId: string;
  /** Thread roots, oldest first; each root has one follow-up interception (its child). */
  roots: string[];
  children: string[];
}

/**
 * `count` sessions of `threads` threads each for one initiator. Session n is active at minute n
 * (later = more recent). Every interception has a token usage, a tool call and a thought; roots
 * have a prompt. Token numbers depend on the positions so that sums are checkable.
 */
export async function addSessions(db: Queryable, initiatorId: string, count: number, threads = 2, prefix = 's'): Promise<SessionFixture[]> {
  const out: SessionFixture[] = [];
  for (let n = 0; n < count; n++) {
    const sessionId = `${prefix}-${String(n).padStart(3, '0')}`;
    const roots: string[] = [];
    const children: string[] = [];
    for (let t = 0; t < threads; t++) {
      const at = (sec: number) => new Date(Date.UTC(2026, 2, 2, 8, n, t * 10 + sec)).toISOString();
      const root = await addInterception(db, { initiatorId, clientSessionId: sessionId, startedAt: at(0), endedAt: at(1), model: t % 2 ? 'gpt-5' : 'claude' });
      const child = await addInterception(db, {
        initiatorId, clientSessionId: sessionId, threadRootId: root, threadParentId: root, startedAt: at(2), endedAt: at(3),
      });
      await addPrompt(db, { interceptionId: root, prompt: `prompt ${n}.${t}`, createdAt: at(0) });
      for (const [k, id] of [root, child].entries()) {
        await addTokenUsage(db, { interceptionId: id, input: 1000 + n, output: 10 * (t + 1), cacheRead: k, createdAt: at(1 + 2 * k) });
        await addToolUsage(db, { interceptionId: id, tool: `tool-${t}-${k}`, createdAt: at(1 + 2 * k) });
        await addThought(db, { interceptionId: id, content: `thinking ${n}.${t}.${k}`, createdAt: at(1 + 2 * k) });
      }
      roots.push(root);
      children.push(child);
    }
    out.push({ sessionId, roots, children });
  }
  return out;
}
