import { safeUserId, scrubBody, scrubHeaders, scrubQuery, scrubText, scrubValue } from '../scrub/index.js';
import type { ErrorKind } from './recent-errors.js';
import { parseStack, type StackFrame } from './stack-frames.js';

/**
 * Error reports: everything about one failure that may leave the sidecar, already scrubbed.
 * Built by pure functions from what the proxy or the ingest API saw; error-capture.ts turns a report
 * into a Sentry event and a /errors entry.
 */

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
  readonly exception?: { readonly type: string; readonly value: string; readonly frames?: StackFrame[] };
  readonly requestId?: string;
  /** Seconds since the epoch, when the report is about an earlier moment (backend events). */
  readonly timestamp?: number;
}

/** What the proxy knows about a failed exchange. */
export interface ProxyErrorInput {
  readonly method: string;
  /** The bounded route label, never the raw path. */
  readonly route: string;
  /** Status the client got. */
  readonly status: number;
  readonly errorType: string;
  /** Set when the sidecar itself answered for the backend (502, 504) or saw it break off. */
  readonly failure?: { readonly errorType: string; readonly code?: string; readonly status?: number };
  readonly backendStatus: number | undefined;
  readonly requestId: string;
  /** The request target as received, for its query string only. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly durationSeconds: number;
  readonly userId?: string | undefined;
  readonly body?: { readonly contentType: string; readonly text: string; readonly truncated: boolean };
}

export interface ProxyReportOptions {
  readonly upstream: string;
  readonly allowedHeaders: ReadonlySet<string>;
}

/** The run of value characters an excerpt limit may have cut through. */
const CUT_TAIL = /[\w\s.+/=@:-]{1,64}$/;

function queryOf(target: string): string {
  const q = target.indexOf('?');
  if (q === -1) return '';
  const hash = target.indexOf('#', q);
  return target.slice(q + 1, hash === -1 ? undefined : hash).slice(0, 4096);
}

/** How a failed exchange is classified and grouped: decided before any of its details are read. */
export interface ProxyErrorHead {
  readonly kind: ErrorKind;
  /** The status the report is about: the backend's 5xx, or what the sidecar answered. */
  readonly status: number;
  readonly message: string;
  readonly fingerprint: readonly string[];
}

/**
 * Whether an exchange is an error to report (a 5xx from the backend, or a failure the sidecar
 * answered for) and how it groups. Cheap: the rate limits apply to its fingerprint before the
 * report's details are scrubbed.
 */
export function proxyErrorHead(
  input: Pick<ProxyErrorInput, 'method' | 'route' | 'status' | 'failure' | 'backendStatus'>,
): ProxyErrorHead | undefined {
  const { method, route } = input;
  const failureType = input.failure?.errorType;
  if (failureType !== undefined) {
    const what = failureType.replace(/^upstream_/, '').replace(/_/g, ' ');
    // Grouped by failure kind and route: a backend that is down is one issue per route.
    const fingerprint = ['upstream-failure', failureType, route];
    if (input.backendStatus === undefined) {
      const status = input.failure?.status ?? input.status;
      return {
        kind: 'upstream_failure',
        status,
        message: `Upstream ${what}: ${method} ${route} → ${status}`,
        fingerprint,
      };
    }
    // The response had started: the client got the backend's status, then a broken body.
    return {
      kind: 'upstream_failure',
      status: input.status,
      message: `Upstream ${what}: ${method} ${route} broke off after ${input.backendStatus}`,
      fingerprint,
    };
  }
  if (input.backendStatus !== undefined && input.backendStatus >= 500) {
    const status = input.backendStatus;
    return {
      kind: 'backend_5xx',
      status,
      message: `${method} ${route} → ${status}`,
      fingerprint: ['backend-5xx', method, route, String(status)],
    };
  }
  return undefined;
}

/** The report for a 5xx from the backend or a failure the sidecar answered for, or undefined. */
export function proxyErrorReport(
  input: ProxyErrorInput,
  options: ProxyReportOptions,
  head: ProxyErrorHead | undefined = proxyErrorHead(input),
): ErrorReport | undefined {
  if (head === undefined) return undefined;
  const { method, route } = input;
  const { kind, status, message, fingerprint } = head;
  const failureType = input.failure?.errorType;
  const errorType = failureType ?? String(status);
  const headers = scrubHeaders(input.headers, options.allowedHeaders);
  const proto = headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  const host = headers['x-forwarded-host'] ?? headers.host ?? 'backend';
  const query = queryOf(input.target);
  const userId = safeUserId(input.userId);
  const extra: Record<string, unknown> = {};
  if (input.body) {
    // A value cut by the excerpt limit may be too short to recognise (half a card number): drop it.
    const text = input.body.truncated ? `${input.body.text.replace(CUT_TAIL, '')}…` : input.body.text;
    extra.response_body_excerpt = scrubBody(text, input.body.contentType);
    extra.response_body_truncated = input.body.truncated;
  }
  return {
    kind,
    level: 'error',
    message,
    fingerprint,
    tags: {
      kind,
      route,
      method,
      status: String(status),
      upstream: options.upstream,
      error_type: errorType,
    },
    transaction: `${method} ${route}`,
    request: {
      method,
      // The route template, not the raw path: ids in paths (account numbers) stay behind.
      url: `${proto}://${host.split(',')[0]!.trim()}${route.startsWith('/') ? route : `/${route}`}`,
      ...(query ? { query_string: scrubQuery(query) } : {}),
      headers,
    },
    ...(userId ? { user: { id: userId } } : {}),
    contexts: {
      response: { type: 'response', status_code: status },
      sidecar: {
        request_id: scrubText(input.requestId),
        duration_ms: Math.round(input.durationSeconds * 1e4) / 10,
        client_status: input.status,
        ...(input.failure?.code ? { failure_code: input.failure.code } : {}),
      },
    },
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
    requestId: scrubText(input.requestId),
  };
}

/** An error the backend reported through the ingest API. */
export interface AppErrorInput {
  readonly message: string;
  /** The exception class or error code, e.g. `ValueError`, `ECONNRESET`. */
  readonly errorType: string;
  /** The part of the backend that failed, e.g. `rag`, `payments`; default `app`. */
  readonly component?: string | undefined;
  /** Default: `error`. */
  readonly level?: ErrorLevel | undefined;
  /** A Python traceback or a Node.js stack; other formats are kept as scrubbed text. */
  readonly stack?: string | undefined;
  /** Extra structured data; keys naming secrets are filtered, values scrubbed, depth bounded. */
  readonly context?: Readonly<Record<string, unknown>> | undefined;
  /** The trace the backend was serving (from the `sentry-trace` or `traceparent` it received). */
  readonly traceId?: string | undefined;
  readonly requestId?: string | undefined;
  /** When it happened, in seconds since the epoch; default: now. */
  readonly timestamp?: number | undefined;
  /** The caller's own id for the event (the ingest API's `event_id`), kept as context. */
  readonly eventId?: string | undefined;
}

const MAX_MESSAGE = 8192;
const MAX_STACK = 32_768;

function label(raw: unknown, fallback: string, max: number): string {
  const text = typeof raw === 'string' ? raw.trim().slice(0, max) : '';
  const safe = scrubText(text);
  return safe === '' ? fallback : safe;
}

/** A stable shape of a message for grouping: numbers, hex ids and quoted values folded away. */
export function messageShape(message: string): string {
  return message
    .replace(/"[^"]*"|'[^']*'/g, '<s>')
    .replace(/\b(?:0x)?[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+/g, '<n>')
    .slice(0, 120);
}

const TRACE_ID = /^[0-9a-f]{32}$/;

export function appErrorReport(input: AppErrorInput): ErrorReport {
  const errorType = label(input.errorType, 'Error', 128);
  const component = label(input.component, 'app', 64);
  const level = ERROR_LEVELS.includes(input.level as ErrorLevel) ? (input.level as ErrorLevel) : 'error';
  const value = scrubText(String(input.message ?? '').slice(0, MAX_MESSAGE));
  const stack = typeof input.stack === 'string' ? input.stack.slice(0, MAX_STACK) : undefined;
  const frames = stack ? parseStack(stack) : undefined;
  const top = frames?.findLast((f) => f.in_app) ?? frames?.at(-1);
  const shape = top ? `${top.filename}:${top.function}` : messageShape(value);
  const extra: Record<string, unknown> = {};
  if (input.context && typeof input.context === 'object') {
    const context = scrubValue(input.context);
    if (context && typeof context === 'object') Object.assign(extra, context);
  }
  if (stack && !frames) extra.stack = scrubText(stack);
  const requestId =
    typeof input.requestId === 'string' ? scrubText(input.requestId.slice(0, 128)) : undefined;
  const eventId = typeof input.eventId === 'string' ? scrubText(input.eventId.slice(0, 128)) : undefined;
  const traceId = appTraceId(input);
  let timestamp =
    typeof input.timestamp === 'number' && Number.isFinite(input.timestamp) && input.timestamp > 0
      ? input.timestamp
      : undefined;
  // Milliseconds are accepted too: no event of this century is 10^11 seconds after 1970.
  if (timestamp !== undefined && timestamp > 1e11) timestamp /= 1000;
  return {
    kind: 'app_error',
    level,
    message: `${errorType}: ${value}`,
    fingerprint: ['app-error', component, errorType, shape],
    tags: { kind: 'app_error', component, error_type: errorType },
    exception: { type: errorType, value, ...(frames ? { frames } : {}) },
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
    contexts: {
      sidecar: {
        source: 'ingest',
        ...(requestId ? { request_id: requestId } : {}),
        ...(eventId ? { event_id: eventId } : {}),
        ...(traceId ? { trace_id: traceId } : {}),
      },
    },
    ...(requestId ? { requestId } : {}),
    ...(timestamp ? { timestamp } : {}),
  };
}

/** The trace id an app error asked to be linked to, validated. */
export function appTraceId(input: AppErrorInput): string | undefined {
  return typeof input.traceId === 'string' && TRACE_ID.test(input.traceId) ? input.traceId : undefined;
}
