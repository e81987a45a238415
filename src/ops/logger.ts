import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function options(level: LogLevel) {
  return {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // An error's name, message and stack only: a driver error's other fields (detail, where)
    // can quote the values of a statement.
    serializers: { err: (e: Error) => { const { type, message, stack } = stdSerializers.err(e); return { type, message, stack }; } },
  };
}

/** JSON lines on `destination` (tests pass a stream that collects them). */
export function createLogger(level: LogLevel, destination: DestinationStream): Logger {
  return pino(options(level), destination);
}

/**
 * The served process's logger, on stderr: JSON lines, or human-readable lines when stderr is a
 * terminal and pino-pretty (a development dependency, absent from production installs) is there.
 * Synchronous writes keep the lines in order with the start-up lines written beside them.
 */
export async function createStderrLogger(level: LogLevel): Promise<Logger> {
  if (process.stderr.isTTY) {
    const pretty = await import('pino-pretty').then((m) => m.default, () => undefined);
    if (pretty) return pino(options(level), pretty({ destination: 2, sync: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
  }
  return pino(options(level), pino.destination({ fd: 2, sync: true }));
}
