import type { App } from '../../src/app.ts';

/** Sends a request through the app in-process (no port), as Yoga's examples do. */
export async function call(app: App, path: string, init: RequestInit & { token?: string } = {}) {
  const { token, headers, ...rest } = init;
  const h = new Headers(headers);
  if (token !== undefined) h.set('Coder-Session-Token', token);
  const response = await app.fetch(`http://localhost${path}`, { ...rest, headers: h });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, text, body: body as any };
}

/** POSTs a GraphQL operation. */
export function gql(app: App, query: string, variables?: Record<string, unknown>, token?: string) {
  return call(app, '/graphql', {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
}
