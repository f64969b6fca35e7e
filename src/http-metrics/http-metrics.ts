import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BODY_SIZE_BUCKETS, HTTP_DURATION_BUCKETS, STREAM_DURATION_BUCKETS } from '../metrics/buckets.js';
import { LabeledGauge, LabeledHistogram } from '../metrics/labeled-metrics.js';

/** Metric names, documented in docs/METRICS.md. OpenTelemetry HTTP semantic conventions in Prometheus form. */
export const HTTP_METRICS = Object.freeze({
  requestDuration: 'http_server_request_duration_seconds',
  activeRequests: 'http_server_active_requests',
  requestBodySize: 'http_server_request_body_size_bytes',
  responseBodySize: 'http_server_response_body_size_bytes',
  streamDuration: 'http_server_stream_duration_seconds',
  activeStreams: 'http_server_active_streams',
  upstreamHeadersDuration: 'sidecar_upstream_response_headers_duration_seconds',
  upstreamErrors: 'sidecar_upstream_errors_total',
  routeOverflow: 'sidecar_route_overflow_total',
  routeEvictions: 'sidecar_route_evictions_total',
  routesInUse: 'sidecar_routes',
  rejectedRequests: 'sidecar_rejected_requests_total',
});

/** Methods of RFC 9110 plus PATCH; anything else is `_OTHER`, as the semantic conventions say. */
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
}

export type StreamKind = 'sse' | 'websocket';

export interface FinishedRequest {
  method: string;
  route: string;
  status: number;
  /** Empty on success; the status code for 5xx; a failure kind for failures the sidecar saw. */
  errorType: string;
  durationSeconds: number;
  requestBytes: number;
  responseBytes: number;
  exemplar?: Record<string, string> | undefined;
}

/**
 * The RED metrics of proxied traffic. The per-request families use the labeled metrics of
 * src/metrics/labeled-metrics.ts: a child is found once per label set and then updated with
 * plain arithmetic, because prom-client hashes the label object on every observe.
 */
export class HttpMetrics {
  private readonly requestDuration: LabeledHistogram;
  private readonly activeRequests: LabeledGauge;
  private readonly requestBodySize: LabeledHistogram;
  private readonly responseBodySize: LabeledHistogram;
  private readonly upstreamHeaders: LabeledHistogram;
  private readonly streamDuration: Histogram<string>;
  private readonly activeStreams: Gauge<string>;
  private readonly upstreamErrors: Counter<string>;
  private readonly routeOverflow: Counter<string>;
  private readonly routeEvictions: Counter<string>;
  /** Stream-duration label sets per route, so forgetRoute() can name each one to prom-client. */
  private readonly streamSeries = new Map<string, Set<string>>();
  private readonly rejected: Counter<string>;

  constructor(
    registry: Registry,
    routeCount: () => number,
    rejectionTypes: ReadonlyArray<{ status: number; errorType: string }> = [],
  ) {
    const registers = [registry];
    this.requestDuration = new LabeledHistogram({
      name: HTTP_METRICS.requestDuration,
      help: 'Duration of proxied HTTP requests, from the first byte received to the last byte sent.',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'],
      buckets: HTTP_DURATION_BUCKETS,
      registry,
    });
    this.activeRequests = new LabeledGauge({
      name: HTTP_METRICS.activeRequests,
      help: 'Proxied HTTP requests in flight.',
      labelNames: ['http_request_method'],
      registry,
    });
    this.requestBodySize = new LabeledHistogram({
      name: HTTP_METRICS.requestBodySize,
      help: 'Bytes of request body streamed to the backend.',
      labelNames: ['http_request_method', 'http_route'],
      buckets: BODY_SIZE_BUCKETS,
      registry,
    });
    this.responseBodySize = new LabeledHistogram({
      name: HTTP_METRICS.responseBodySize,
      help: 'Bytes of response body streamed to the client.',
      labelNames: ['http_request_method', 'http_route'],
      buckets: BODY_SIZE_BUCKETS,
      registry,
    });
    this.upstreamHeaders = new LabeledHistogram({
      name: HTTP_METRICS.upstreamHeadersDuration,
      help: 'Time from receiving a request to receiving the backend response headers.',
      labelNames: ['http_request_method', 'http_route'],
      buckets: HTTP_DURATION_BUCKETS,
      registry,
    });
    this.streamDuration = new Histogram({
      name: HTTP_METRICS.streamDuration,
      help: 'Lifetime of long-lived streams (WebSocket, server-sent events), kept out of the request-duration histogram.',
      labelNames: ['http_route', 'stream_type', 'error_type'],
      buckets: [...STREAM_DURATION_BUCKETS],
      registers,
    });
    this.activeStreams = new Gauge({
      name: HTTP_METRICS.activeStreams,
      help: 'Open long-lived streams (WebSocket, server-sent events).',
      labelNames: ['stream_type'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: HTTP_METRICS.upstreamErrors,
      help: 'Requests the backend did not complete, by failure kind.',
      labelNames: ['error_type'],
      registers,
    });
    this.routeOverflow = new Counter({
      name: HTTP_METRICS.routeOverflow,
      help: 'Requests recorded as __overflow__ because MAX_ROUTES learned routes were already in use.',
      registers,
    });
    this.routeEvictions = new Counter({
      name: HTTP_METRICS.routeEvictions,
      help: 'Learned http_route values given back: idle for ROUTE_IDLE_EVICT_S (their series removed), or folded into a {param} template (their series added to it).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['idle', 'folded']) this.routeEvictions.inc({ reason }, 0);
    new Gauge({
      name: HTTP_METRICS.routesInUse,
      help: 'Learned http_route values holding a place in MAX_ROUTES (declared templates are not counted).',
      registers,
      collect() {
        this.set(routeCount());
      },
    });
    for (const kind of ['sse', 'websocket']) this.activeStreams.set({ stream_type: kind }, 0);
    this.routeOverflow.inc(0);
    this.rejected = new Counter({
      name: HTTP_METRICS.rejectedRequests,
      help: 'Requests the proxy port refused before they reached the backend (invalid HTTP, heads too large or too slow, targets too long).',
      labelNames: ['http_response_status_code', 'error_type'],
      registers,
    });
    for (const r of rejectionTypes) {
      this.rejected.inc({ http_response_status_code: String(r.status), error_type: r.errorType }, 0);
    }
  }

  requestStarted(method: string): void {
    this.activeRequests.child([method]).inc();
  }

  requestFinished(r: FinishedRequest): void {
    this.activeRequests.child([r.method]).dec();
    this.requestDuration
      .child([r.method, r.route, String(r.status), r.errorType])
      .observe(r.durationSeconds, r.exemplar);
    this.requestBodySize.child([r.method, r.route]).observe(r.requestBytes);
    this.responseBodySize.child([r.method, r.route]).observe(r.responseBytes);
  }

  upstreamHeadersReceived(method: string, route: string, seconds: number): void {
    this.upstreamHeaders.child([method, route]).observe(seconds);
  }

  upstreamFailed(errorType: string): void {
    this.upstreamErrors.inc({ error_type: errorType });
  }

  requestRejected(status: number, errorType: string): void {
    this.rejected.inc({ http_response_status_code: String(status), error_type: errorType });
  }

  routeOverflowed(): void {
    this.routeOverflow.inc();
  }

  /**
   * A learned route gave its place back: every series with this `http_route` leaves the
   * registry, or, with `into`, is added to the series of that route (a fold into `{param}`).
   * Stream durations are removed either way: prom-client histograms cannot be added together.
   */
  forgetRoute(route: string, reason: 'idle' | 'folded', into?: string): void {
    this.routeEvictions.inc({ reason });
    for (const family of [
      this.requestDuration,
      this.requestBodySize,
      this.responseBodySize,
      this.upstreamHeaders,
    ]) {
      if (into === undefined) family.removeWhere('http_route', route);
      else family.mergeWhere('http_route', route, into);
    }
    const streams = this.streamSeries.get(route);
    if (streams === undefined) return;
    this.streamSeries.delete(route);
    for (const key of streams) {
      const [stream_type, error_type] = key.split('\u0001') as [string, string];
      this.streamDuration.remove({ http_route: route, stream_type, error_type });
    }
  }

  /** A request became a stream: it leaves the request gauge for the stream gauge. */
  streamStarted(method: string, kind: StreamKind): void {
    this.activeRequests.child([method]).dec();
    this.activeStreams.inc({ stream_type: kind });
  }

  streamFinished(route: string, kind: StreamKind, errorType: string, seconds: number): void {
    this.activeStreams.dec({ stream_type: kind });
    this.streamDuration.observe({ http_route: route, stream_type: kind, error_type: errorType }, seconds);
    let streams = this.streamSeries.get(route);
    if (streams === undefined) {
      streams = new Set();
      this.streamSeries.set(route, streams);
    }
    streams.add(`${kind}\u0001${errorType}`);
  }
}
