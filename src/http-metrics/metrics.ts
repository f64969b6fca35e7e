import { BODY_SIZE_BUCKETS } from '../metrics/buckets.js';
import { declareMetrics } from '../metrics/declaration.js';

/** OpenTelemetry's http.server.request.duration advice, extended for long LLM and upload calls. */
const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60, 120,
];

/** WebSocket and SSE lifetimes: a second to a few hours. */
const STREAM_DURATION_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14_400];

/**
 * The RED metrics of proxied traffic, recorded by http-metrics.ts: OpenTelemetry HTTP semantic
 * conventions in Prometheus form, `sidecar_` where no convention exists.
 */
export const HTTP_METRICS = declareMetrics({
  requestDuration: {
    name: 'http_server_request_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of proxied HTTP requests, from the first byte received to the last byte sent; streams (SSE, WebSocket) at their end, with their whole lifetime.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'],
    buckets: HTTP_DURATION_BUCKETS,
  },
  activeRequests: {
    name: 'http_server_active_requests',
    type: 'gauge',
    help: 'Proxied HTTP requests in flight.',
    labelNames: ['http_request_method'],
  },
  requestBodySize: {
    name: 'http_server_request_body_size_bytes',
    type: 'histogram',
    unit: 'bytes',
    help: 'Bytes of request body streamed to the backend.',
    labelNames: ['http_request_method', 'http_route'],
    buckets: BODY_SIZE_BUCKETS,
  },
  responseBodySize: {
    name: 'http_server_response_body_size_bytes',
    type: 'histogram',
    unit: 'bytes',
    help: 'Bytes of response body streamed to the client.',
    labelNames: ['http_request_method', 'http_route'],
    buckets: BODY_SIZE_BUCKETS,
  },
  upstreamHeadersDuration: {
    name: 'sidecar_upstream_response_headers_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Time from receiving a request to receiving the backend response headers.',
    labelNames: ['http_request_method', 'http_route'],
    buckets: HTTP_DURATION_BUCKETS,
  },
  streamDuration: {
    name: 'http_server_stream_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Lifetime of long-lived streams (WebSocket, server-sent events), kept out of the request-duration histogram.',
    labelNames: ['http_route', 'stream_type', 'error_type'],
    buckets: STREAM_DURATION_BUCKETS,
  },
  activeStreams: {
    name: 'http_server_active_streams',
    type: 'gauge',
    help: 'Open long-lived streams (WebSocket, server-sent events).',
    labelNames: ['stream_type'],
  },
  upstreamErrors: {
    name: 'sidecar_upstream_errors_total',
    type: 'counter',
    help: 'Requests the backend did not complete, by failure kind.',
    labelNames: ['error_type'],
  },
  upstreamResent: {
    name: 'sidecar_upstream_resent_requests_total',
    type: 'counter',
    help: 'Requests sent again on a new connection because the pooled connection they went out on was closed by the backend before any answer (idempotent requests without a body only).',
    labelNames: [],
  },
  routeOverflow: {
    name: 'sidecar_route_overflow_total',
    type: 'counter',
    help: 'Requests recorded as __overflow__ because MAX_ROUTES learned routes were already in use.',
    labelNames: [],
  },
  routeEvictions: {
    name: 'sidecar_route_evictions_total',
    type: 'counter',
    help: 'Learned http_route values given back: idle for ROUTE_IDLE_EVICT_S (their series removed), or folded into a {param} template (their series added to it).',
    labelNames: ['reason'],
  },
  routesInUse: {
    name: 'sidecar_routes',
    type: 'gauge',
    help: 'Learned http_route values holding a place in MAX_ROUTES (declared templates are not counted).',
    labelNames: [],
  },
  rejectedRequests: {
    name: 'sidecar_rejected_requests_total',
    type: 'counter',
    help: 'Requests the proxy port refused before they reached the backend (invalid HTTP, heads too large or too slow, targets too long).',
    labelNames: ['http_response_status_code', 'error_type'],
  },
});
