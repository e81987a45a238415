import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { seed } from '../../src/db/seed.ts';
import { createToken } from '../../src/db/users.ts';
import { describeEachGeneration } from '../support/databases.ts';
import { addInterception, addPrompt, addUser } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';

/** CSV read back by a real parser (csv-parse), formula escaping, negotiation, gzip and the 400s. */
let owner = '';
let mallory = '';

interface Nested {
  id: string;
  token_usages: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_write_input_tokens: number }[];
  user_prompts: unknown[];
  tool_usages: { injected: boolean; invocation_error: string }[];
}

const lines = <T,>(text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
const csv = (text: string): Record<string, string>[] => parse(text, { columns: true });

/** Rows whose text would run as spreadsheet formulas, and RFC 4180's hard cases. */
const HOSTILE = ['=HYPERLINK("http://evil.example","x")', '+1+2', '-3', '@SUM(A1)', '\tTAB', 'a,"b"\r\nc'];

describeEachGeneration(
  'export formats',
  (ctx) => {
    const app = () => createApp({ db: ctx().db });
    const get = (path: string, headers: Record<string, string> = {}, token = owner) => call(app(), path, { token, headers });

    it('CSV parses back to the documented columns, with the NDJSON children counted and summed', async () => {
      const nested = lines<Nested>((await get('/api/v2/aibridge/export/interceptions')).text);
      const res = await get('/api/v2/aibridge/export/interceptions?format=csv');
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(res.text.split('\r\n')[0]).toBe(
        'id,initiator_id,initiator_username,provider,provider_name,model,client,session_id,client_session_id,thread_root_id,thread_parent_id,' +
          'api_key_id,credential_kind,started_at,ended_at,token_usages,input_tokens,output_tokens,cache_read_input_tokens,cache_write_input_tokens,' +
          'user_prompts,tool_usages,injected_tool_usages,tool_errors,metadata',
      );
      const rows = csv(res.text);
      expect(rows.map((r) => r.id)).toEqual(nested.map((n) => n.id));
      const sum = (xs: number[]) => String(xs.reduce((a, b) => a + b, 0));
      for (const [n, r] of rows.entries()) {
        const i = nested[n];
        expect(r).toMatchObject({
          token_usages: String(i.token_usages.length),
          input_tokens: sum(i.token_usages.map((t) => t.input_tokens)),
          output_tokens: sum(i.token_usages.map((t) => t.output_tokens)),
          cache_read_input_tokens: sum(i.token_usages.map((t) => t.cache_read_input_tokens)),
          cache_write_input_tokens: sum(i.token_usages.map((t) => t.cache_write_input_tokens)),
          user_prompts: String(i.user_prompts.length),
          tool_usages: String(i.tool_usages.length),
          injected_tool_usages: String(i.tool_usages.filter((t) => t.injected).length),
          tool_errors: String(i.tool_usages.filter((t) => t.invocation_error !== '').length),
        });
      }
    });

    it('escapes cells a spreadsheet would run as formulas, and quotes as RFC 4180 says', async () => {
      const rows = csv((await get('/api/v2/aibridge/export/interceptions?format=csv', {}, mallory)).text);
      expect(rows.map((r) => r.model).sort()).toEqual(HOSTILE.map((h) => (/^[=+\-@\t\r]/.test(h) ? `'${h}` : h)).sort());
      for (const r of rows) expect(r.client).toBe("'=cmd|' /C calc'!A0");
      const sessions = csv((await get('/api/v2/aibridge/export/sessions?format=csv', {}, mallory)).text);
      expect(sessions.map((s) => s.last_prompt)).toContain("'@risky prompt, \"quoted\"");
    });

    it('chooses the format by Accept when no format is given, and gzips when the client accepts it', async () => {
      expect((await get('/api/v2/aibridge/export/sessions', { accept: 'text/csv' })).headers.get('content-type')).toMatch(/^text\/csv/);
      expect((await get('/api/v2/aibridge/export/sessions', { accept: 'text/csv;q=0.5, application/x-ndjson' })).headers.get('content-type')).toMatch(/ndjson/);
      expect((await get('/api/v2/aibridge/export/sessions?format=ndjson', { accept: 'text/csv' })).headers.get('content-type')).toMatch(/ndjson/);
      const plain = await get('/api/v2/aibridge/export/interceptions');
      const app1 = app();
      const res = await app1.fetch('http://localhost/api/v2/aibridge/export/interceptions', { headers: { 'Coder-Session-Token': owner, 'accept-encoding': 'gzip' } });
      expect(res.headers.get('content-encoding')).toBe('gzip');
      const zipped = Buffer.from(await res.arrayBuffer());
      expect(gunzipSync(zipped).toString()).toBe(plain.text);
      expect(zipped.length).toBeLessThan(plain.text.length / 2);
    });

    it('answers bad parameters with Coder’s 400 JSON before any row, and a missing token with 401', async () => {
      for (const path of [
        '/api/v2/aibridge/export/interceptions?format=xml',
        '/api/v2/aibridge/export/interceptions?q=colour:blue',
        '/api/v2/aibridge/export/sessions?q=started_after:yesterday',
        '/api/v2/aibridge/export/interceptions?format=csv&format=ndjson',
        '/api/v2/ai-gateway/export/usage?group_by=model,planet',
        '/api/v2/ai-gateway/export/usage?bucket=year',
        '/api/v2/ai-gateway/export/usage?bucket=day&time_zone=Mars/Olympus_Mons',
      ]) {
        const res = await get(path);
        expect(res.status, path).toBe(400);
        expect(res.headers.get('content-type'), path).toMatch(/^application\/json/);
        expect(typeof res.body.message, path).toBe('string');
        expect(res.text, path).not.toMatch(/SELECT|stack/i);
      }
      expect((await get('/api/v2/aibridge/export/interceptions', {}, 'nope')).status).toBe(401);
    });

    it('usage: the same groups and figures as GraphQL usage, per model and day', async () => {
      const res = await get('/api/v2/aibridge/export/usage?group_by=model&bucket=day&time_zone=Europe/Berlin');
      const rows = lines<{ model: string; bucket_start: string; requests: number; input_tokens: number; cost_usd: string }>(res.text);
      const g = await gql(app(), `{ usage(groupBy: [MODEL], bucket: DAY, timeZone: "Europe/Berlin") { groups { model bucketStart figures { requests inputTokens cost { total } } } } }`, {}, owner);
      const groups = g.body.data.usage.groups as { model: string; bucketStart: string; figures: { requests: number; inputTokens: string | number; cost: { total: string } } }[];
      expect(rows.length).toBeGreaterThan(3);
      expect(rows.map((r) => [r.model, new Date(r.bucket_start).getTime(), r.requests, String(r.input_tokens), r.cost_usd])).toEqual(
        groups.map((x) => [x.model, new Date(x.bucketStart).getTime(), x.figures.requests, String(x.figures.inputTokens), x.figures.cost.total]),
      );
      const table = csv((await get('/api/v2/aibridge/export/usage?group_by=model&bucket=day&time_zone=Europe/Berlin&format=csv')).text);
      // The hostile model names come back escaped: an apostrophe before the formula character.
      const escaped = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
      expect(table.map((r) => [r.model, r.requests, r.cost_usd])).toEqual(rows.map((r) => [escaped(r.model), String(r.requests), r.cost_usd]));
    });

    it('usage without group_by or bucket is one row of totals; a member’s covers only their rows', async () => {
      const [all] = lines<{ requests: number }>((await get('/api/v2/aibridge/export/usage')).text);
      const mine = lines<{ requests: number }>((await get('/api/v2/aibridge/export/usage', {}, mallory)).text);
      const listed = (await get('/api/v2/aibridge/interceptions?limit=1')).body.count as number;
      expect(all.requests).toBe(listed);
      expect(mine).toHaveLength(1);
      expect(mine[0].requests).toBe(HOSTILE.length);
    });
  },
  async (t) => {
    await seed(t.db, { interceptions: 200, seed: 5 });
    owner = await createToken(t.db, 'admin');
    const m = await addUser(t.db, { username: 'mallory' });
    mallory = m.token;
    for (const [n, model] of HOSTILE.entries()) {
      const id = await addInterception(t.db, {
        initiatorId: m.id, model, client: "=cmd|' /C calc'!A0", clientSessionId: 'mallory-1', startedAt: `2026-03-0${n + 1}T10:00:00Z`,
      });
      if (n === HOSTILE.length - 1) await addPrompt(t.db, { interceptionId: id, prompt: '@risky prompt, "quoted"', createdAt: `2026-03-0${n + 1}T10:00:01Z` });
    }
  },
);
