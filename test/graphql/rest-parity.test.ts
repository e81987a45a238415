import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addTokenUsage, addUser } from '../support/fixtures.ts';
import { call } from '../support/http.ts';
import { client } from './client.ts';
import { addSessions, type SessionFixture } from './fixtures.ts';
import { graphql } from './generated/index.ts';

let alice: { id: string; token: string };
let other: { id: string; token: string };
let sessions: SessionFixture[] = [];

const ParitySessions = graphql(`
  query ParitySessions {
    sessions(first: 100) {
      totalCount
      edges {
        node {
          sessionId providers models client metadata startedAt endedAt lastActiveAt lastPrompt threadCount
          tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens }
        }
      }
    }
    interceptions(first: 1000) { totalCount edges { node { uuid tokenUsages { inputTokens outputTokens } } } }
  }
`);

const ParityDetail = graphql(`
  query ParityDetail($id: String!) {
    session(id: $id) {
      tokenUsageSummary { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }
      threads(first: 50) {
        pageStartedAt pageEndedAt
        edges {
          node {
            uuid prompt model provider credentialKind credentialHint startedAt endedAt
            tokenUsage { inputTokens outputTokens cacheReadInputTokens cacheWriteInputTokens metadata }
            agenticActions { model tokenUsage { inputTokens outputTokens } thinking { text } toolCalls { uuid: id tool } }
          }
        }
      }
    }
  }
`);

const tokens = (t: { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number }) => ({
  input_tokens: t.inputTokens,
  output_tokens: t.outputTokens,
  cache_read_input_tokens: t.cacheReadInputTokens,
  cache_write_input_tokens: t.cacheWriteInputTokens,
});

describeEachDb(
  'GraphQL and REST report the same numbers',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });

    it('for the session list and the interception list (count, threads, tokens, times)', async () => {
      const a = app();
      const g = await client(a, alice.token).request(ParitySessions);
      const rest = await call(a, '/api/v2/aibridge/sessions?limit=100', { token: alice.token });
      expect(rest.status).toBe(200);
      expect(g.sessions.totalCount).toBe(rest.body.count);
      expect(g.sessions.totalCount).toBe(sessions.length);
      expect(
        g.sessions.edges.map(({ node: s }) => ({
          id: s.sessionId,
          providers: s.providers,
          models: s.models,
          started_at: s.startedAt,
          ended_at: s.endedAt,
          last_active_at: s.lastActiveAt,
          last_prompt: s.lastPrompt,
          threads: s.threadCount,
          token_usage_summary: tokens(s.tokenUsageSummary),
        })),
      ).toEqual(
        rest.body.sessions.map((s: Record<string, unknown>) => ({
          id: s.id, providers: s.providers, models: s.models, started_at: s.started_at, ended_at: s.ended_at,
          last_active_at: s.last_active_at, last_prompt: s.last_prompt, threads: s.threads, token_usage_summary: s.token_usage_summary,
        })),
      );
      // Above 2^31 and exact.
      expect(g.sessions.edges.some((e) => e.node.tokenUsageSummary.inputTokens > 2 ** 32)).toBe(true);

      const restList = await call(a, '/api/v2/aibridge/interceptions?limit=1000', { token: alice.token });
      expect(g.interceptions.totalCount).toBe(restList.body.count);
      expect(g.interceptions.edges.map((e) => ({ id: e.node.uuid, tokens: e.node.tokenUsages.map((u) => [u.inputTokens, u.outputTokens]) }))).toEqual(
        restList.body.results.map((r: { id: string; token_usages: { input_tokens: number; output_tokens: number }[] }) => ({
          id: r.id,
          tokens: r.token_usages.map((u) => [u.input_tokens, u.output_tokens]),
        })),
      );
    });

    it('for a session with its threads and agentic actions', async () => {
      const a = app();
      for (const s of sessions) {
        const { session } = await client(a, alice.token).request(ParityDetail, { id: s.sessionId });
        const rest = await call(a, `/api/v2/aibridge/sessions/${s.sessionId}`, { token: alice.token });
        expect(rest.status).toBe(200);
        const r = rest.body;
        expect({ ...tokens(session!.tokenUsageSummary), metadata: session!.tokenUsageSummary.metadata }).toEqual(r.token_usage_summary);
        expect(session!.threads.pageStartedAt).toBe(r.page_started_at);
        expect(session!.threads.pageEndedAt).toBe(r.page_ended_at);
        expect(
          session!.threads.edges.map(({ node: t }) => ({
            id: t.uuid,
            prompt: t.prompt ?? undefined,
            model: t.model,
            provider: t.provider,
            credential_kind: t.credentialKind.toLowerCase(),
            credential_hint: t.credentialHint,
            started_at: t.startedAt,
            ended_at: t.endedAt ?? undefined,
            token_usage: { ...tokens(t.tokenUsage), metadata: t.tokenUsage.metadata },
            agentic_actions: t.agenticActions.map((x) => ({
              model: x.model,
              tokens: [x.tokenUsage.inputTokens, x.tokenUsage.outputTokens],
              thinking: x.thinking,
              tool_calls: x.toolCalls.map((c) => [c.uuid, c.tool]),
            })),
          })),
        ).toEqual(
          r.threads.map((t: Record<string, any>) => ({
            id: t.id, prompt: t.prompt, model: t.model, provider: t.provider, credential_kind: t.credential_kind,
            credential_hint: t.credential_hint, started_at: t.started_at, ended_at: t.ended_at, token_usage: t.token_usage,
            agentic_actions: t.agentic_actions.map((x: Record<string, any>) => ({
              model: x.model,
              tokens: [x.token_usage.input_tokens, x.token_usage.output_tokens],
              thinking: x.thinking,
              tool_calls: x.tool_calls.map((c: { id: string; tool: string }) => [c.id, c.tool]),
            })),
          })),
        );
      }
    });
  },
  async ({ db }) => {
    alice = await addUser(db, { username: 'alice' });
    other = await addUser(db, { username: 'other' });
    sessions = await addSessions(db, alice.id, 4, 3);
    await addSessions(db, other.id, 2, 1, 'o');
    // Large counters and metadata on one session's usages.
    for (const id of sessions[1].roots) {
      await addTokenUsage(db, { interceptionId: id, input: 3_000_000_000, output: 2_500_000_000, cacheWrite: 7, metadata: { reasoning: { tokens: 2_200_000_000 } }, createdAt: '2026-03-02T09:00:00Z' });
    }
  },
);
