import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type HttpMetrics, normalizeMethod, type StreamKind } from '../http-metrics/http-metrics.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import type { RouteResolver, RouteTemplate } from './route-resolver.js';
import type { UpstreamFailure } from './upstream-errors.js';

/**
 * Everything the sidecar tracks about one proxied request, from arrival to the last byte. Each
 * field that changes after creation names the one module that writes it.
 */
export interface Exchange {
  readonly startedAt: number;
  readonly method: string;
  readonly requestId: string;
  readonly route: RouteTemplate;
  /** The client's own Connection wish, kept because the header itself is not forwarded. */
  readonly clientWantsClose: boolean;
  /**
   * The `http_route` label, decided once per exchange (when the backend's headers arrive, or at
   * the end): the route budget counts an `__overflow__` each time it is asked. Written by
   * `labelRoute()` below.
   */
  routeLabel: string | undefined;
  /** `websocket` from the start; `sse` once the backend's response is an event stream (upstream-events.ts). */
  stream: StreamKind | undefined;
  /** The request to the backend, once http-proxy-middleware made it (upstream-events.ts, websocket.ts). */
  proxyReq: ClientRequest | undefined;
  /** The backend's response (upstream-events.ts). */
  proxyRes: IncomingMessage | undefined;
  /** The status the backend answered, once its headers arrived (upstream-events.ts, websocket.ts). */
  backendStatus: number | undefined;
  /** A failure the sidecar answered for, or saw after the headers were sent (`failExchange()` below). */
  failure: UpstreamFailure | undefined;
  /** Sent again on a new connection after the pooled one failed unanswered (upstream-events.ts, resend.ts). */
  resent: boolean;
  /** The backend's response body broke off before its end (upstream-events.ts). */
  upstreamBroke: boolean;
  /** Bytes of request body sent to the backend (upstream-events.ts). */
  requestBytes: number;
  /** Bytes of response body relayed to the client (relay.ts). */
  responseBytes: number;
  /**
   * The deadline for the backend's response headers (UPSTREAM_TIMEOUT_MS); once they are in, the
   * deadline for a client that reads nothing while the response waits on it
   * (CLIENT_SEND_TIMEOUT_MS). Written by deadlines.ts.
   */
  timer: NodeJS.Timeout | undefined;
  /** The client read nothing of the response within CLIENT_SEND_TIMEOUT_MS and was cut off (deadlines.ts). */
  clientStalled: boolean;
  /** The client connection is done and the outcome recorded (finish.ts). */
  closed: boolean;
  /**
   * What an exchange observer (Sentry's) keeps about this exchange. A field rather than a
   * WeakMap entry: a WeakMap keyed by short-lived objects costs every young-generation GC.
   */
  observerState: unknown;
}

const EXCHANGE = Symbol('observability-sidecar.exchange');

type WithExchange = IncomingMessage & { [EXCHANGE]?: Exchange };

/**
 * A new exchange for `req`, attached to it. Every field is set here, in one literal, so that all
 * exchanges share one shape.
 */
export function createExchange(
  req: IncomingMessage,
  routes: RouteResolver,
  stream: StreamKind | undefined,
): Exchange {
  const connection = req.headers.connection;
  const ex: Exchange = {
    startedAt: performance.now(),
    method: normalizeMethod(req.method),
    requestId: requestIdOf(req.headers[REQUEST_ID_HEADER]),
    route: routes.template(req.url ?? '/'),
    clientWantsClose: connection !== undefined && /\bclose\b/i.test(connection),
    routeLabel: undefined,
    stream,
    proxyReq: undefined,
    proxyRes: undefined,
    backendStatus: undefined,
    failure: undefined,
    resent: false,
    upstreamBroke: false,
    requestBytes: 0,
    responseBytes: 0,
    timer: undefined,
    clientStalled: false,
    closed: false,
    observerState: undefined,
  };
  (req as WithExchange)[EXCHANGE] = ex;
  return ex;
}

export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as WithExchange)[EXCHANGE];
}

/** The exchange's `http_route` label, asked of the route resolver only the first time. */
export function labelRoute(ex: Exchange, routes: RouteResolver): string {
  ex.routeLabel ??= routes.label(ex.route, ex.backendStatus);
  return ex.routeLabel;
}

/** Records a failure of the backend, counted once: the first one is the exchange's. */
export function failExchange(ex: Exchange, f: UpstreamFailure, metrics: HttpMetrics): void {
  if (ex.failure) return;
  ex.failure = f;
  metrics.upstreamFailed(f.errorType);
}
