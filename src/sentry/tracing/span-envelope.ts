import { scrubText } from '../scrub/index.js';
import type { Dsc } from './trace-propagation.js';

/**
 * The envelope of one sampled request's span, in Sentry's streamed-span format (span v2, the
 * SDK 11 default), built directly instead of through a Sentry span object.
 *
 * A span made and ended through the SDK (scope, SentrySpan, capture hooks, per-trace buffer and
 * timers) costs several times the CPU of this envelope handed to the SDK client's
 * `sendEnvelope` (docs/PERFORMANCE.md). The fields mirror what the SDK sends for the same span,
 * and test/unit/sentry/sdk-parity.test.ts holds the two side by side. The envelope still goes
 * through the SDK's transport: its queue bound, 429 backoff and flush on shutdown apply.
 */

export interface SdkInfo {
  readonly name: string;
  readonly version: string;
}

export interface SpanIdentity {
  readonly environment: string;
  readonly release: string | undefined;
  readonly sdk: SdkInfo;
}

export interface FinishedRequestSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** Seconds since the epoch, with sub-millisecond precision. */
  readonly start: number;
  readonly end: number;
  readonly sampleRate: number;
  /** The status the client got; 4xx and 5xx make the span's status `error`. */
  readonly httpStatus: number | undefined;
  /** Sentry's status message for that HTTP status (`internal_error`, `unavailable`…). */
  readonly statusMessage: string | undefined;
  readonly attributes: Readonly<Record<string, string | number>>;
}

/** Attributes whose values come from configuration, ids, the normalised method or the route template. */
const TRUSTED = new Set(['http.request.method', 'http.route', 'server.address']);

/** One attribute in the span v2 form, `"key":{"value":…,"type":…}`, as JSON text. */
function attribute(key: string, value: string | number | boolean): string {
  const type =
    typeof value === 'string'
      ? 'string'
      : typeof value === 'boolean'
        ? 'boolean'
        : Number.isInteger(value)
          ? 'integer'
          : 'double';
  return `${JSON.stringify(key)}:{"value":${JSON.stringify(value)},"type":"${type}"}`;
}

/** The attributes every span of this sidecar carries, as JSON text: built once per identity. */
const constantAttributes = new WeakMap<SpanIdentity, string>();

function identityAttributes(identity: SpanIdentity): string {
  let text = constantAttributes.get(identity);
  if (text === undefined) {
    const parts = [
      attribute('sentry.origin', 'manual'),
      attribute('sentry.op', 'http.server'),
      attribute('sentry.segment.name.source', 'route'),
      attribute('sentry.trace_lifecycle', 'stream'),
      attribute('sentry.sdk.name', identity.sdk.name),
      attribute('sentry.sdk.version', identity.sdk.version),
    ];
    if (identity.release !== undefined) parts.push(attribute('sentry.release', identity.release));
    parts.push(attribute('sentry.environment', identity.environment));
    text = parts.join(',');
    constantAttributes.set(identity, text);
  }
  return text;
}

/**
 * The envelope's span item is JSON text already (the SDK's serializer appends a string payload
 * as it is): the constant attributes are written once, the rest without intermediate objects.
 */
export type SpanEnvelope = [
  { sent_at: string; trace?: Dsc; sdk: SdkInfo },
  [[{ type: 'span'; item_count: 1; content_type: string }, string]],
];

export function spanEnvelope(span: FinishedRequestSpan, dsc: Dsc, identity: SpanIdentity): SpanEnvelope {
  const name = scrubText(span.name);
  let attributes = `${identityAttributes(identity)},${attribute('sentry.sample_rate', span.sampleRate)}`;
  // Anything not known to be safe is scrubbed, like every string of an error event.
  for (const key in span.attributes) {
    const value = span.attributes[key]!;
    attributes += `,${attribute(key, typeof value === 'string' && !TRUSTED.has(key) ? scrubText(value) : value)}`;
  }
  if (span.httpStatus !== undefined)
    attributes += `,${attribute('http.response.status_code', span.httpStatus)}`;
  if (span.statusMessage !== undefined)
    attributes += `,${attribute('sentry.status.message', span.statusMessage)}`;
  attributes += `,${attribute('sentry.segment.name', name)},${attribute('sentry.segment.id', span.spanId)}`;
  const status = span.httpStatus !== undefined && span.httpStatus >= 400 ? 'error' : 'ok';
  const item =
    `{"version":2,"items":[{"name":${JSON.stringify(name)},"span_id":"${span.spanId}","trace_id":"${span.traceId}"` +
    (span.parentSpanId ? `,"parent_span_id":"${span.parentSpanId}"` : '') +
    `,"start_timestamp":${span.start},"end_timestamp":${span.end},"is_segment":true,"status":"${status}"` +
    `,"attributes":{${attributes}}}]}`;
  return [
    {
      sent_at: new Date().toISOString(),
      // As the SDK does: a context without a trace id and key (a caller's bare sentry-trace) is left out.
      ...(dsc.trace_id && dsc.public_key ? { trace: dsc } : {}),
      sdk: identity.sdk,
    },
    [[{ type: 'span', item_count: 1, content_type: 'application/vnd.sentry.items.span.v2+json' }, item]],
  ];
}
