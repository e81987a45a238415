import { createServer, type Server } from 'node:http';
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeEachDb } from '../support/databases.ts';
import { addUser } from '../support/fixtures.ts';

/**
 * The GraphQL-over-HTTP conformance audits of graphql-http, run over real HTTP against the app
 * served as `serve` serves it. The audits send no credentials; the fetch they use adds a test
 * member's session token, as any client of this gateway must, so authentication stays as strict
 * as in production. Every audit passes today (MUST, SHOULD and MAY alike), and each is pinned:
 * giving one up has to be a decision, not an accident.
 */
let token: string;

describeEachDb(
  'GraphQL over HTTP conformance (graphql-http audits)',
  (ctx) => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      const app = createApp({ db: ctx().db });
      server = createServer((req, res) => void app(req, res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
    });
    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    const audits = serverAudits({
      url: () => url,
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
        const headers = new Headers(init?.headers);
        headers.set('Coder-Session-Token', token);
        return fetch(input, { ...init, headers });
      },
    });

    it('has audits of every requirement level to run', () => {
      expect(new Set(audits.map((a) => a.name.split(' ')[0]))).toEqual(new Set(['MUST', 'SHOULD', 'MAY']));
    });

    it.each(audits.map((a) => [`${a.name} (${a.id})`, a] as const))('%s', async (_name, audit) => {
      const result = await audit.fn();
      expect(result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`).toBe('ok');
    });
  },
  async ({ db }) => {
    token = (await addUser(db, { username: 'http-auditor', role: 'member' })).token;
  },
);
