import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SpanHandle } from './tracing.ts';

/** What one request has done so far; the access log, the metrics and the cost header read it. */
export interface RequestFacts {
  /** Route template (never a raw path: ids stay out of logs and metric labels). */
  route: string;
  status?: number;
  userId?: string;
  operationName?: string;
  statements: number;
  dbMs: number;
  /** Set by `X-Query-Cost: 1` or GraphQL `extensions: { cost: true }`. */
  costRequested: boolean;
  complexity?: number;
}

export interface RequestScope {
  readonly id: string;
  readonly log: Logger;
  readonly facts: RequestFacts;
  /** The innermost open span (HTTP, then GraphQL): the parent of the statements run inside it. */
  readonly span?: SpanHandle;
}

// One store per process, like the context manager OpenTelemetry itself installs: it carries
// the request through DataLoader batches and awaits without threading it through every call.
const storage = new AsyncLocalStorage<RequestScope>();

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope of the request being handled, or undefined outside one (start-up, CLI). */
export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/** Records who is asking: both surfaces authenticate through one function, which calls this. */
export function noteUser(userId: string): void {
  const scope = storage.getStore();
  if (scope) scope.facts.userId = userId;
}

// A caller's id is echoed and logged, so only a short token of safe characters is accepted: no
// log injection, no unbounded header.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when it is a sane token, otherwise a new UUID. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get('x-request-id')?.trim();
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}
