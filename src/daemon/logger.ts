// Structured JSON logs: a fixed message plus a metadata object.
import { pino, type DestinationStream } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What daemon modules need from a logger; a pino Logger satisfies it. */
export interface Log {
  error(meta: object, msg: string): void;
  warn(meta: object, msg: string): void;
  info(meta: object, msg: string): void;
  debug(meta: object, msg: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where JSON lines go; stdout when unset. */
  destination?: DestinationStream;
  /** Fields added to every line, e.g. { node: 'node-a' }. */
  base?: Record<string, unknown>;
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** pino logger: ISO time, level as a label, errors under `err`. */
export function createLogger(options: LoggerOptions = {}): pino.Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { component: 'proxyctl', ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** Discards everything; for tests and for callers without a logger. */
export function silentLogger(): Log {
  return createLogger({ level: 'silent' });
}
