import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  labeledGauge,
  labeledHistogram,
  promCounter,
  promGauge,
  promHistogram,
} from '../metrics/create-metric.js';
import type { LabeledGauge, LabeledHistogram } from '../metrics/labeled-metrics.js';
import type { RouteWindows } from '../status/route-windows.js';
import { HTTP_METRICS } from './metrics.js';

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

/** The route a request had when it began, before the backend's answer decided its label. */
export interface StartRoute {
  readonly template: string;
  readonly declared: boolean;
}

export interface FinishedRequest {
  method: string;
  route: string;
  /** As passed to requestStarted. */
  startRoute: StartRoute;
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
  private readonly resent: Counter;

  constructor(
    registry: Registry,
    routeCount: () => number,
    rejectionTypes: ReadonlyArray<{ status: number; errorType: string }> = [],
    /** Recent traffic per route for the status page (status/route-windows.ts), when it is on. */
    readonly windows?: RouteWindows,
  ) {
    this.requestDuration = labeledHistogram(registry, HTTP_METRICS.requestDuration);
    this.activeRequests = labeledGauge(registry, HTTP_METRICS.activeRequests);
    this.requestBodySize = labeledHistogram(registry, HTTP_METRICS.requestBodySize);
    this.responseBodySize = labeledHistogram(registry, HTTP_METRICS.responseBodySize);
    this.upstreamHeaders = labeledHistogram(registry, HTTP_METRICS.upstreamHeadersDuration);
    this.streamDuration = promHistogram(registry, HTTP_METRICS.streamDuration);
    this.activeStreams = promGauge(registry, HTTP_METRICS.activeStreams);
    this.upstreamErrors = promCounter(registry, HTTP_METRICS.upstreamErrors);
    this.resent = promCounter(registry, HTTP_METRICS.upstreamResent);
    this.resent.inc(0);
    this.routeOverflow = promCounter(registry, HTTP_METRICS.routeOverflow);
    this.routeEvictions = promCounter(registry, HTTP_METRICS.routeEvictions);
    for (const reason of ['idle', 'folded']) this.routeEvictions.inc({ reason }, 0);
    promGauge(registry, HTTP_METRICS.routesInUse, function () {
      this.set(routeCount());
    });
    for (const kind of ['sse', 'websocket']) this.activeStreams.set({ stream_type: kind }, 0);
    this.routeOverflow.inc(0);
    this.rejected = promCounter(registry, HTTP_METRICS.rejectedRequests);
    for (const r of rejectionTypes) {
      this.rejected.inc({ http_response_status_code: String(r.status), error_type: r.errorType }, 0);
    }
  }

  /**
   * A request began. The status page counts it in flight under its route when that route is
   * declared; an undeclared template could be any path, personal data included.
   */
  requestStarted(method: string, route: StartRoute): void {
    this.activeRequests.child([method]).inc();
    if (route.declared) this.windows?.started(method, route.template);
  }

  /**
   * A request at its end. A stream (server-sent events, WebSocket) left the in-flight gauge when
   * it began (streamStarted) and is counted here at its end with its whole duration, as in-app
   * instrumentation counts it, so that request rates and error ratios include it.
   */
  requestFinished(r: FinishedRequest, stream = false): void {
    if (!stream) this.activeRequests.child([r.method]).dec();
    this.requestDuration
      .child([r.method, r.route, String(r.status), r.errorType])
      .observe(r.durationSeconds, r.exemplar);
    if (this.windows !== undefined) {
      this.windows.record(r.method, r.route, r.durationSeconds, r.errorType);
      if (r.startRoute.declared) this.windows.ended(r.method, r.startRoute.template);
    }
    this.requestBodySize.child([r.method, r.route]).observe(r.requestBytes);
    this.responseBodySize.child([r.method, r.route]).observe(r.responseBytes);
  }

  upstreamHeadersReceived(method: string, route: string, seconds: number): void {
    this.upstreamHeaders.child([method, route]).observe(seconds);
  }

  upstreamFailed(errorType: string): void {
    this.upstreamErrors.inc({ error_type: errorType });
  }

  upstreamResent(): void {
    this.resent.inc();
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
    this.windows?.forget(route);
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
