/**
 * Tracing: the sidecar's part of a distributed trace. Reading and writing the trace headers
 * (`sentry-trace`, W3C `traceparent`, `baggage`), the sampling decision per route, trace and span
 * ids, the sidecar's own dynamic sampling context, and the span of a sampled request as a
 * Sentry envelope, sent in small batches. `RequestTracing` puts them together for each proxied
 * request. Plain functions and classes: the SDK adapter (../sdk) sends what they build.
 */

export {
  type OtlpDestination,
  OtlpSpanExporter,
  type QueuedSpan,
} from './otlp-exporter.js';
export { type DscIdentity, OwnDsc, orgIdFromDsn } from './own-dsc.js';
export {
  type EventTrace,
  type RequestSpan,
  type RequestTrace,
  RequestTracing,
  type SpanStarter,
} from './request-tracing.js';
export { type RouteRule, RouteRules } from './route-rules.js';
export { SpanBatch } from './span-batch.js';
export {
  type FinishedRequestSpan,
  type SdkInfo,
  type SpanEnvelope,
  type SpanIdentity,
  spanEnvelope,
} from './span-envelope.js';
export { newSpanId, newTraceId } from './trace-ids.js';
export {
  type Dsc,
  decideTrace,
  dscToBaggage,
  foreignBaggage,
  type IncomingTrace,
  mergeBaggage,
  parseSentryBaggage,
  readIncomingTrace,
  sentryTraceHeader,
  stripIncomingTrace,
  type TraceDecision,
  traceparentHeader,
} from './trace-propagation.js';
