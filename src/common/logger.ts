import pino, { Logger } from 'pino';

/** Structured JSON logs on stdout; the level comes from LOG_LEVEL. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'revenue-alignment-api' }, timestamp: pino.stdTimeFunctions.isoTime });
}
