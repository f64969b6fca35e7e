import { safeUserId, scrubBody, scrubHeaders, scrubQuery, scrubText } from '../scrub/index.js';
import type { ErrorKind, ErrorReport } from './error-report.js';

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
