import type { ReportedException } from './reported-exception.js';

/**
 * Error reports: everything about one failure that may leave the sidecar, already scrubbed.
 * Built by pure functions from what the proxy saw (proxy-error-report.ts) or the backend reported
 * through the ingest API (app-error-report.ts); error-capture.ts turns a report into a Sentry
 * event and a /errors entry.
 */

export type ErrorKind = 'backend_5xx' | 'upstream_failure' | 'app_error';
export type ErrorLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';
export const ERROR_LEVELS: readonly ErrorLevel[] = ['fatal', 'error', 'warning', 'info', 'debug'];

export interface ErrorReport {
  readonly kind: ErrorKind;
  readonly level: ErrorLevel;
  /** The Sentry issue title and the /errors summary. */
  readonly message: string;
  /** Sentry groups events by this; the rate limit counts per fingerprint too. */
  readonly fingerprint: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly transaction?: string;
  readonly request?: {
    readonly method: string;
    readonly url: string;
    readonly query_string?: string;
    readonly headers: Readonly<Record<string, string>>;
  };
  readonly user?: { readonly id: string };
  readonly contexts?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** The exception chain, causes first and the raised exception last, as Sentry orders it. */
  readonly exception?: readonly ReportedException[];
  readonly requestId?: string;
  /** Seconds since the epoch, when the report is about an earlier moment (backend events). */
  readonly timestamp?: number;
}
