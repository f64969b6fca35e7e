/**
 * Bucket boundaries shared by metric families, chosen once so dashboards and alerts can rely on
 * them. Units are seconds and bytes (Prometheus base units).
 */

/** OpenTelemetry's http.server.request.duration advice, extended for long LLM and upload calls. */
export const HTTP_DURATION_BUCKETS = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 30, 60, 120,
]);

/** Body sizes from 100 B to 1 GiB, in decades: enough to tell JSON from uploads from media. */
export const BODY_SIZE_BUCKETS = Object.freeze([
  100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_073_741_824,
]);

/** WebSocket and SSE lifetimes: a second to a few hours. */
export const STREAM_DURATION_BUCKETS = Object.freeze([1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 14_400]);
