import type { Logger } from 'pino';
import type { YogaLogger } from 'graphql-yoga';
import { currentScope } from './request-scope.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * Yoga's own messages (an unexpected error it masked, debug traces) through pino, on the
 * request's logger when there is one, so they carry its request id.
 */
export function yogaLogger(log: Logger): YogaLogger {
  const forward =
    (level: Level) =>
    (...args: unknown[]) => {
      const target = currentScope()?.log ?? log;
      const [first, ...rest] = args;
      if (first instanceof Error) target[level]({ err: first }, rest.length ? rest.map(String).join(' ') : first.message);
      else target[level](args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
