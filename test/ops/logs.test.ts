import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { SESSION_COOKIE } from '../../src/auth/viewer.ts';
import { createLogger, type LogLevel } from '../../src/ops/logger.ts';
import { describeEachDb } from '../support/databases.ts';
import { addInterception, addPrompt, addUser } from '../support/fixtures.ts';
import { call, gql } from '../support/http.ts';

const PROMPT = 'refactor the payroll module for quarterly bonus 7731';
const HINT = 'sk-zq...Wq81';

/** A logger writing JSON lines into an array. */
function collectingLogger(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger(level, stream), lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

let owner: { id: string; token: string };
let interception: string;

describeEachDb(
  'structured logs',
  (ctx) => {
    it('writes one JSON access line per request with request id, route, status, duration, user and operation', async () => {
      const { log, records } = collectingLogger();
      const app = createApp({ db: ctx().db, log });
      const rest = await call(app, `/api/v2/aibridge/sessions/${interception}`, { token: owner.token, headers: { 'x-request-id': 'trace-abc.123' } });
      const graphql = await gql(app, 'query Who { viewer { username } }', undefined, owner.token);
      const hostile = await call(app, '/healthz', { headers: { 'x-request-id': 'x","level":60,"msg":"forged' } });

      expect(rest.headers.get('x-request-id')).toBe('trace-abc.123');
      const generated = graphql.headers.get('x-request-id');
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      // A caller's id that could forge log lines is replaced, not echoed.
      expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      const access = records().filter((r) => r.msg === 'request');
      expect(access).toHaveLength(3);
      expect(access[0]).toMatchObject({ reqId: 'trace-abc.123', method: 'GET', route: '/api/v2/aibridge/sessions/{id}', status: 200, userId: owner.id, level: 30 });
      expect(access[0].durationMs).toEqual(expect.any(Number));
      expect(access[0].statements).toBeGreaterThanOrEqual(2);
      expect(access[1]).toMatchObject({ reqId: generated, method: 'POST', route: '/graphql', status: 200, userId: owner.id, operationName: 'Who' });
      // Probes log at debug, so an info-level log is not flooded by them.
      expect(access[2]).toMatchObject({ route: '/healthz', status: 200, level: 20 });
      expect(typeof access[0].time).toBe('string');
    });

    it('never logs the session token, cookie, credential hints or prompts', async () => {
      const { log, lines } = collectingLogger('trace');
      const app = createApp({ db: ctx().db, log });
      const secret = owner.token.split('-')[1];
      await call(app, `/api/v2/aibridge/sessions/${interception}`, { token: owner.token });
      await call(app, `/api/v2/aibridge/interceptions?${SESSION_COOKIE}=${owner.token}`);
      await call(app, '/api/v2/aibridge/sessions', { headers: { cookie: `${SESSION_COOKIE}=${owner.token}` } });
      await call(app, '/api/v2/aibridge/sessions', { headers: { authorization: `Bearer ${owner.token.slice(0, 11)}wrong-secret-value-1234` } });
      const nested = await gql(
        app,
        `query Detail($model: String) { interceptions(first: 5, filter: { model: $model }) { edges { node { credentialHint userPrompts { prompt } } } } }`,
        { model: PROMPT },
        owner.token,
      );
      const found = await gql(app, '{ interceptions(first: 5) { edges { node { credentialHint userPrompts { prompt } } } } }', undefined, owner.token);
      // The responses did carry what the log must not.
      expect(nested.status).toBe(200);
      expect(JSON.stringify(found.body)).toContain(PROMPT);
      expect(JSON.stringify(found.body)).toContain(HINT);

      expect(lines.length).toBeGreaterThanOrEqual(6);
      const text = lines.join('\n');
      for (const leak of [owner.token, secret, 'wrong-secret-value-1234', PROMPT, HINT, HINT.slice(-4)]) expect(text).not.toContain(leak);
    });

    it('honours LOG_LEVEL: at warn, successful requests write nothing', async () => {
      const { log, lines } = collectingLogger('warn');
      const app = createApp({ db: ctx().db, log });
      expect((await call(app, '/api/v2/aibridge/models', { token: owner.token })).status).toBe(200);
      expect(lines).toEqual([]);
    });
  },
  async ({ db }) => {
    owner = await addUser(db, { username: 'log-owner', role: 'owner' });
    interception = await addInterception(db, { initiatorId: owner.id, startedAt: '2026-03-01T10:00:00Z', credentialHint: HINT });
    await addPrompt(db, { interceptionId: interception, prompt: PROMPT, createdAt: '2026-03-01T10:00:01Z' });
  },
);

let victim: { id: string; token: string };

describeEachDb(
  'structured logs of unexpected errors',
  (ctx) => {
    it('logs a failure the gateway did not expect once, at error, with the request id and without secrets', async () => {
      // A real fault: the table the catalog reads is gone, so its statement fails in the database.
      await ctx().db.exec('DROP TABLE aibridge_interceptions CASCADE');
      const { log, records, lines } = collectingLogger('info');
      const app = createApp({ db: ctx().db, log });
      const rest = await call(app, '/api/v2/aibridge/models', { token: victim.token, headers: { 'x-request-id': 'fault-rest-1' } });
      const graphql = await call(app, '/graphql', {
        method: 'POST',
        token: victim.token,
        headers: { 'content-type': 'application/json', 'x-request-id': 'fault-gql-1' },
        body: JSON.stringify({ query: 'query Models { interceptions(first: 1) { edges { node { model } } } }' }),
      });
      expect(rest.status).toBe(500);
      expect(graphql.body.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');

      const errors = records().filter((r) => r.level === 50);
      expect(errors.map((r) => r.reqId).sort()).toEqual(['fault-gql-1', 'fault-rest-1']);
      for (const e of errors) expect((e.err as { message: string }).message).toMatch(/aibridge_interceptions/);
      expect(records().find((r) => r.reqId === 'fault-rest-1' && r.msg === 'request')).toMatchObject({ status: 500, route: '/api/v2/aibridge/models' });
      expect(lines.join('\n')).not.toContain(victim.token);
    });
  },
  async ({ db }) => {
    victim = await addUser(db, { username: 'fault-owner', role: 'owner' });
  },
);
