import type { Logger } from '../log/logger.js';
import type { ExceptionInput } from './families/error/exception-schema.js';

/** An application error as the ingest API hands it on, after validation. */
export interface AppErrorReport {
  readonly message: string;
  readonly errorType: string;
  readonly component: string | undefined;
  readonly level: 'fatal' | 'error' | 'warning';
  readonly stack: string | undefined;
  readonly context: Readonly<Record<string, string | number | boolean | null>> | undefined;
  /** When the error happened (Unix seconds), if the application said. */
  readonly timestamp: number | undefined;
  readonly eventId: string | undefined;
  /** The request it happened in, and its trace, to link it to both. */
  readonly requestId: string | undefined;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** The exception chain with its frames (exception-schema.ts), causes first. */
  readonly exception: ExceptionInput | undefined;
}

/**
 * Where `error` events go besides app_errors_total: Sentry when it is configured. Called on the
 * request path, so it must not block; the ingest API counts and logs a sink that throws.
 */
export interface AppErrorSink {
  report(error: AppErrorReport): void;
}

/**
 * The sink used when nothing else is wired: one log line per error naming its type, component
 * and level. Never the message, stack or context, which may hold personal data.
 */
export function createLoggingErrorSink(logger: Logger): AppErrorSink {
  return {
    report(error) {
      logger.warn(
        { error_type: error.errorType, component: error.component ?? null, level: error.level },
        'application error reported through the ingest API',
      );
    },
  };
}
