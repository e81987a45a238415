import { ClientError, GraphQLClient } from 'graphql-request';

/**
 * The page's one way to the server: POST /graphql, authenticated like any API client. The token
 * is, first found: the demo owner's (put in the page by the server only in embedded demo mode on
 * a loopback address, the same decision that signs GraphiQL in), one pasted into the sign-in form
 * (kept in localStorage), else none, and the browser's Coder session cookie (same origin) applies.
 */
const TOKEN_KEY = 'aibridge-graphql.session-token';
export const SESSION_HEADER = 'Coder-Session-Token';

export interface PageConfig {
  headers?: Record<string, string>;
}

export function pageConfig(): PageConfig {
  const text = document.getElementById('dashboard-config')?.textContent;
  return text ? (JSON.parse(text) as PageConfig) : {};
}

export const storedToken = () => localStorage.getItem(TOKEN_KEY) ?? undefined;
export const storeToken = (token: string) => localStorage.setItem(TOKEN_KEY, token.trim());
export const forgetToken = () => localStorage.removeItem(TOKEN_KEY);

export function sessionHeaders(config: PageConfig): Record<string, string> {
  const token = storedToken();
  return config.headers ?? (token ? { [SESSION_HEADER]: token } : {});
}

export function createClient(config: PageConfig): GraphQLClient {
  return new GraphQLClient(new URL('/graphql', location.href).toString(), { headers: sessionHeaders(config), credentials: 'same-origin' });
}

/** The server refused the credentials (or got none): time to sign in. */
export function isUnauthenticated(err: unknown): boolean {
  return err instanceof ClientError && (err.response.status === 401 || (err.response.errors ?? []).some((e) => e.extensions?.code === 'UNAUTHENTICATED'));
}

/** One line for an error panel: the API's own message where it gave one. */
export function errorMessage(err: unknown): string {
  if (err instanceof ClientError) {
    const first = err.response.errors?.[0];
    if (!first) return `The server answered ${err.response.status}: check that the gateway is running (and any proxy in front of it), then try again.`;
    // Bad input is the view's (a filter, the time zone, a range): say how to get out of it.
    if (first.extensions?.code === 'BAD_USER_INPUT') return `${first.message} Change that filter, or use Reset for the default view.`;
    return first.message;
  }
  if (err instanceof TypeError) return 'The server did not answer: check that the gateway is running and this machine can reach it, then try again.';
  return err instanceof Error ? err.message : String(err);
}
