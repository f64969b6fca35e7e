import type { EnvReader } from './env.js';

/** Sentry settings. Only SENTRY_DSN so far; the Sentry subsystem extends this section. */
export interface SentryConfig {
  readonly dsn: string | undefined;
}

export function readSentryConfig(r: EnvReader): SentryConfig {
  return { dsn: r.optionalString('SENTRY_DSN') };
}
