import type { ClientRequest, IncomingMessage } from 'node:http';
import type { StreamKind } from '../http-metrics/http-metrics.js';
import type { RouteMatch } from '../routes/index.js';
import type { UpstreamFailure } from './upstream-errors.js';

/** Everything the sidecar tracks about one proxied request, from arrival to the last byte. */
export interface Exchange {
  readonly startedAt: number;
  readonly method: string;
  readonly requestId: string;
  readonly route: RouteMatch;
  /**
   * The `http_route` label, decided once per exchange (when the backend's headers arrive, or at
   * the end): the route budget counts an `__overflow__` each time it is asked.
   */
  routeLabel: string | undefined;
  /** The client's own Connection wish, kept because the header itself is not forwarded. */
  readonly clientWantsClose: boolean;
  proxyReq: ClientRequest | undefined;
  proxyRes: IncomingMessage | undefined;
  /** The status the backend answered, once its headers arrived. */
  backendStatus: number | undefined;
  /** A failure the sidecar answered for, or saw after the headers were sent. */
  failure: UpstreamFailure | undefined;
  /** The backend's response body broke off before its end. */
  upstreamBroke: boolean;
  stream: StreamKind | undefined;
  requestBytes: number;
  responseBytes: number;
  /**
   * The deadline for the backend's response headers (UPSTREAM_TIMEOUT_MS); once they are in, the
   * deadline for a client that reads nothing while the response waits on it (CLIENT_SEND_TIMEOUT_MS).
   */
  timer: NodeJS.Timeout | undefined;
  /** The client read nothing of the response within CLIENT_SEND_TIMEOUT_MS and was cut off. */
  clientStalled: boolean;
  closed: boolean;
  /**
   * What an exchange observer (Sentry's) keeps about this exchange. A field rather than a
   * WeakMap entry: a WeakMap keyed by short-lived objects costs every young-generation GC.
   */
  observerState: unknown;
}

const EXCHANGE = Symbol('observability-sidecar.exchange');

type WithExchange = IncomingMessage & { [EXCHANGE]?: Exchange };

export function attachExchange(req: IncomingMessage, exchange: Exchange): void {
  (req as WithExchange)[EXCHANGE] = exchange;
}

export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as WithExchange)[EXCHANGE];
}
