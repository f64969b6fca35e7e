import type { Counter, Gauge, Registry } from 'prom-client';
import { promCounter, promGauge } from '../metrics/create-metric.js';
import { type CounterDeclaration, declareMetrics } from '../metrics/declaration.js';

/** What the sidecar records about the error events and spans meant for Sentry. */
export const SENTRY_METRICS = declareMetrics({
  events: {
    name: 'sidecar_sentry_events_total',
    type: 'counter',
    help: 'Error events meant for Sentry, by what became of them.',
    labelNames: ['outcome'],
  },
  enabled: {
    name: 'sidecar_sentry_enabled',
    type: 'gauge',
    help: '1 when SENTRY_DSN is set and errors are sent to Sentry, else 0.',
    labelNames: [],
  },
  transportInFlight: {
    name: 'sidecar_sentry_transport_in_flight',
    type: 'gauge',
    help: 'Requests to Sentry under way (bounded by SENTRY_TRANSPORT_QUEUE_SIZE); stuck high means Sentry is slow.',
    labelNames: [],
  },
  unreachable: {
    name: 'sidecar_sentry_unreachable',
    type: 'gauge',
    help: '1 from the third consecutive failure to reach Sentry until it answers again; sending pauses meanwhile.',
    labelNames: [],
  },
  spansDropped: {
    name: 'sidecar_sentry_spans_dropped_total',
    type: 'counter',
    help: 'Spans of sampled requests that did not reach Sentry, by why (the outcomes of sidecar_sentry_events_total).',
    labelNames: ['outcome'],
  },
  otlpSpans: {
    name: 'sidecar_otlp_spans_total',
    type: 'counter',
    help: 'Spans exported over OTLP, by destination (sentry, otlp) and what became of them (sent, rejected, dropped, queue_overflow, fell_back).',
    labelNames: ['destination', 'outcome'],
  },
  errorLinks: {
    name: 'sidecar_error_links_total',
    type: 'counter',
    help: 'Backend 5xx answers and backend error events, by whether they were sent as one event (linked), alone, or early because too many waited (evicted).',
    labelNames: ['outcome'],
  },
});

/**
 * What became of each error event meant for Sentry:
 * - `sent`: Sentry accepted it (2xx).
 * - `rate_limited`: held back by the sidecar's own per-minute caps (overall or per fingerprint).
 * - `sentry_rate_limited`: Sentry answered 429, or the SDK held it back while a 429 backoff ran.
 * - `queue_overflow`: the bounded transport queue was full (Sentry slow or unreachable).
 * - `filtered`: dropped before sending by sampling or an event processor.
 * - `dropped`: sending failed (connection refused, timeout, a non-2xx answer, too large).
 */
export const SENTRY_EVENT_OUTCOMES = [
  'sent',
  'rate_limited',
  'sentry_rate_limited',
  'queue_overflow',
  'filtered',
  'dropped',
] as const;
export type SentryEventOutcome = (typeof SENTRY_EVENT_OUTCOMES)[number];
/** The ways a span can be lost: the sidecar's own caps and the SDK's filters do not apply to spans. */
const SPAN_DROP_OUTCOMES = ['sentry_rate_limited', 'queue_overflow', 'dropped'] as const;

/** A counter by `outcome`, each of `outcomes` exported from the start at 0. */
function outcomeCounter(
  registry: Registry,
  declaration: CounterDeclaration,
  outcomes: readonly string[],
): Counter<'outcome'> {
  const counter = promCounter(registry, declaration) as Counter<'outcome'>;
  for (const outcome of outcomes) counter.inc({ outcome }, 0);
  return counter;
}

/**
 * - `linked`: a backend 5xx and the backend's own error event for that request, sent as one event (capture/error-linker.ts).
 * - `response_alone`: a backend 5xx for which no error event came within the window.
 * - `app_error_alone`: an error event whose request did not fail (a handled exception) or was not
 *   seen within the window.
 * - `evicted`: sent before its window ended because ERROR_LINK_MAX_PENDING were waiting.
 */
export const LINK_OUTCOMES = ['linked', 'response_alone', 'app_error_alone', 'evicted'] as const;
export type LinkOutcome = (typeof LINK_OUTCOMES)[number];

export const OTLP_SPAN_OUTCOMES = ['sent', 'rejected', 'dropped', 'queue_overflow', 'fell_back'] as const;
/** What became of spans an OTLP exporter (tracing/otlp-exporter.ts) was given. */
export type OtlpSpanOutcome = (typeof OTLP_SPAN_OUTCOMES)[number];

export class SentryMetrics {
  private readonly events: Counter<'outcome'>;
  private readonly inFlight: Gauge;
  private readonly unreachableGauge: Gauge;
  private readonly spansDropped: Counter<'outcome'>;
  private readonly errorLinks: Counter<'outcome'>;
  private readonly otlpSpansCounter: Counter<'destination' | 'outcome'>;

  constructor(registry: Registry, enabled: boolean) {
    this.events = outcomeCounter(registry, SENTRY_METRICS.events, SENTRY_EVENT_OUTCOMES);
    promGauge(registry, SENTRY_METRICS.enabled).set(enabled ? 1 : 0);
    this.inFlight = promGauge(registry, SENTRY_METRICS.transportInFlight);
    this.unreachableGauge = promGauge(registry, SENTRY_METRICS.unreachable);
    this.unreachableGauge.set(0);
    this.spansDropped = outcomeCounter(registry, SENTRY_METRICS.spansDropped, SPAN_DROP_OUTCOMES);
    this.errorLinks = outcomeCounter(registry, SENTRY_METRICS.errorLinks, LINK_OUTCOMES);
    this.otlpSpansCounter = promCounter(registry, SENTRY_METRICS.otlpSpans) as Counter<
      'destination' | 'outcome'
    >;
    // Sentry's series start at 0 like the other Sentry families, whatever the protocol.
    this.otlpDestination('sentry');
  }

  /** Spans an OTLP exporter (tracing/otlp-exporter.ts) delivered or lost; series appear with the destination. */
  otlpSpans(destination: 'sentry' | 'otlp', outcome: OtlpSpanOutcome, count: number): void {
    this.otlpSpansCounter.inc({ destination, outcome }, count);
  }

  /** Starts a destination's series at 0 once it is configured. */
  otlpDestination(destination: 'sentry' | 'otlp'): void {
    for (const outcome of OTLP_SPAN_OUTCOMES) this.otlpSpansCounter.inc({ destination, outcome }, 0);
  }

  /** How a backend 5xx or error event was sent (capture/error-linker.ts). */
  errorLinked(outcome: LinkOutcome): void {
    this.errorLinks.inc({ outcome });
  }

  spanDropped(outcome: SentryEventOutcome, count = 1): void {
    this.spansDropped.inc({ outcome }, count);
  }

  /** Sending is paused after consecutive failures to reach Sentry (transport.ts), or resumed. */
  unreachable(paused: boolean): void {
    this.unreachableGauge.set(paused ? 1 : 0);
  }

  event(outcome: SentryEventOutcome, count = 1): void {
    this.events.inc({ outcome }, count);
  }

  requestStarted(): void {
    this.inFlight.inc();
  }

  requestEnded(): void {
    this.inFlight.dec();
  }
}
