import { GraphQLClient } from 'graphql-request';
import type { App } from '../../src/app.ts';

/** A graphql-request client that talks to the app in-process (no port), typed by the generated documents. */
export function client(app: App, token: string): GraphQLClient {
  return new GraphQLClient('http://localhost/graphql', {
    fetch: async (input, init) => app.fetch(input instanceof Request ? input.url : input.toString(), init as RequestInit),
    headers: { 'Coder-Session-Token': token },
  });
}
