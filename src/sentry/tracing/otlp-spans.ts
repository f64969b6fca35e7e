import { otlpTypes } from '../../otlp/proto.js';
import { scrubText } from '../scrub/index.js';
import type { FinishedRequestSpan, SpanIdentity } from './span-envelope.js';

/**
 * A batch of request spans as one OTLP ExportTraceServiceRequest (protobuf): many traces in one
 * HTTP request, where Sentry's envelope protocol takes one trace per envelope. The span carries
 * what its envelope carries (span-envelope.ts), in OpenTelemetry's terms: a SERVER span with the
 * HTTP semantic-convention attributes, error status from 400, the service and deployment on the
 * resource. Strings not known to be safe are scrubbed as in an envelope.
 */

/** SpanKind SERVER; StatusCode OK and ERROR. */
const SERVER = 2;
const STATUS_OK = 1;
const STATUS_ERROR = 2;
/** W3C trace flags: sampled. Only sampled requests have a span. */
const SAMPLED = 1;

const TRUSTED = new Set(['http.request.method', 'http.route', 'server.address']);

type Value = string | number | boolean;

function anyValue(value: Value) {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: value } : { doubleValue: value };
}

const kv = (key: string, value: Value) => ({ key, value: anyValue(value) });

/** Seconds since the epoch as nanoseconds; a double keeps them to a fraction of a microsecond. */
const nanos = (seconds: number) => Math.round(seconds * 1e9);

function resourceOf(identity: SpanIdentity) {
  const attributes = [
    kv('service.name', 'observability-sidecar'),
    kv('deployment.environment.name', identity.environment),
    kv('telemetry.sdk.name', identity.sdk.name),
    kv('telemetry.sdk.version', identity.sdk.version),
  ];
  if (identity.release !== undefined) attributes.push(kv('service.version', identity.release));
  return { attributes };
}

function spanOf(span: FinishedRequestSpan) {
  const attributes = [kv('sentry.sample_rate', span.sampleRate)];
  for (const key in span.attributes) {
    const value = span.attributes[key]!;
    attributes.push(kv(key, typeof value === 'string' && !TRUSTED.has(key) ? scrubText(value) : value));
  }
  if (span.httpStatus !== undefined) attributes.push(kv('http.response.status_code', span.httpStatus));
  const error = span.httpStatus !== undefined && span.httpStatus >= 400;
  return {
    traceId: Buffer.from(span.traceId, 'hex'),
    spanId: Buffer.from(span.spanId, 'hex'),
    ...(span.parentSpanId ? { parentSpanId: Buffer.from(span.parentSpanId, 'hex') } : {}),
    flags: SAMPLED,
    name: scrubText(span.name),
    kind: SERVER,
    startTimeUnixNano: nanos(span.start),
    endTimeUnixNano: nanos(span.end),
    attributes,
    status: error ? { code: STATUS_ERROR, message: span.statusMessage ?? '' } : { code: STATUS_OK },
  };
}

export async function encodeSpans(
  spans: readonly FinishedRequestSpan[],
  identity: SpanIdentity,
): Promise<Uint8Array> {
  const { ExportTraceServiceRequest } = await otlpTypes();
  const request = ExportTraceServiceRequest.create({
    resourceSpans: [
      {
        resource: resourceOf(identity),
        scopeSpans: [{ scope: { name: 'observability-sidecar' }, spans: spans.map(spanOf) }],
      },
    ],
  });
  return ExportTraceServiceRequest.encode(request).finish();
}
