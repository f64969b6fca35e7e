import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * JSON logs to stdout. Request and response headers are never logged whole: the access log
 * names the fields it writes, so Authorization and cookies cannot slip in.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'observability-sidecar' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
