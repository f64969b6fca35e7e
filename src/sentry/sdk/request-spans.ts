import { performance } from 'node:perf_hooks';
import { getSpanStatusFromHttpCode } from '@sentry/core';
import type { OtlpTracesConfig } from '../../config/otlp-traces.js';
import type { Logger } from '../../log/logger.js';
import type { SentryMetrics } from '../metrics.js';
import {
  type Dsc,
  type FinishedRequestSpan,
  newSpanId,
  OtlpSpanExporter,
  type QueuedSpan,
  type RequestSpan,
  SpanBatch,
  type SpanEnvelope,
  type SpanIdentity,
  spanEnvelope,
  type TraceDecision,
} from '../tracing/index.js';
import { outcomeOfResponse } from './outcomes.js';

/**
 * How long a span envelope may wait for others to leave with, and how many may wait
 * (tracing/span-batch.ts). Larger batches saved more CPU but, each opening as many connections
 * at once, raised peak memory under load; batches of 4 did not (docs/PERFORMANCE.md).
 */
const SPAN_HOLD_MS = 100;
const SPAN_BATCH_MAX = 4;

/** Wall-clock seconds with the monotonic clock's precision. */
function nowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

/** What the client answers for an envelope it sent: a status when Sentry answered. */
type SendEnvelope = (envelope: SpanEnvelope) => PromiseLike<{ statusCode?: number | undefined }>;

export interface RequestSpansOptions {
  /** Hands an envelope to the Sentry client's transport; without one, spans go only over OTLP. */
  readonly sendEnvelope?: SendEnvelope | undefined;
  readonly metrics: SentryMetrics;
  readonly identity: SpanIdentity;
  readonly logger: Logger;
  /** Sentry's OTLP traces endpoint and its auth header, when SENTRY_TRACES_PROTOCOL=otlp. */
  readonly sentryOtlp?: { url: URL; headers: Record<string, string>; timeoutMs: number } | undefined;
  /** A further OTLP destination (OTEL_EXPORTER_OTLP_*). */
  readonly otlp?: OtlpTracesConfig | undefined;
}

/**
 * The spans of sampled requests: each is built when its request ends and delivered to Sentry,
 * in OTLP batches (many traces per request) or as envelopes in small batches (one trace each),
 * and to a further OTLP endpoint when one is configured.
 */
export class RequestSpans {
  private readonly envelopes: SpanBatch<SpanEnvelope> | undefined;
  private readonly toSentry: OtlpSpanExporter | undefined;
  private readonly toOtlp: OtlpSpanExporter | undefined;

  constructor(private readonly options: RequestSpansOptions) {
    const { metrics, identity, logger, sendEnvelope } = options;
    this.envelopes =
      sendEnvelope &&
      new SpanBatch<SpanEnvelope>(
        (envelope) => {
          // The transport counts the spans it loses itself; one Sentry refused is counted here.
          void sendEnvelope(envelope).then((response) => {
            const outcome = outcomeOfResponse(response.statusCode);
            if (outcome !== undefined && outcome !== 'sent') metrics.spanDropped(outcome);
          });
        },
        SPAN_HOLD_MS,
        SPAN_BATCH_MAX,
      );
    const asEnvelopes = (spans: readonly QueuedSpan[]) => {
      for (const { span, dsc } of spans) this.envelopes?.add(spanEnvelope(span, dsc, identity));
    };
    if (options.sentryOtlp) {
      this.toSentry = new OtlpSpanExporter({
        destination: { ...options.sentryOtlp, compression: 'gzip' },
        identity,
        logger,
        count: (outcome, n) => metrics.otlpSpans('sentry', outcome, n),
        fallback: asEnvelopes,
      });
    }
    if (options.otlp?.endpoint) {
      metrics.otlpDestination('otlp');
      const { endpoint, headers, timeoutMs, compression } = options.otlp;
      this.toOtlp = new OtlpSpanExporter({
        destination: { url: endpoint, headers, timeoutMs, compression },
        identity,
        logger,
        count: (outcome, n) => metrics.otlpSpans('otlp', outcome, n),
      });
    }
  }

  start(
    decision: TraceDecision,
    name: string,
    dsc: Dsc,
    attributes: Readonly<Record<string, string | number>>,
  ): RequestSpan {
    const spanId = newSpanId();
    const start = nowSeconds();
    return {
      spanId,
      end: (status, route) => {
        const renamed = route !== undefined && route !== attributes['http.route'];
        const span: FinishedRequestSpan = {
          traceId: decision.traceId,
          spanId,
          parentSpanId: decision.parentSpanId,
          name: renamed ? `${name.slice(0, name.indexOf(' '))} ${route}` : name,
          start,
          end: nowSeconds(),
          sampleRate: decision.sampleRate,
          httpStatus: status,
          statusMessage: status === undefined ? undefined : getSpanStatusFromHttpCode(status).message,
          attributes: renamed ? { ...attributes, 'http.route': route } : attributes,
        };
        if (this.toSentry) this.toSentry.add({ span, dsc });
        else this.envelopes?.add(spanEnvelope(span, dsc, this.options.identity));
        this.toOtlp?.add({ span, dsc });
      },
    };
  }

  /** Sends what waits: OTLP batches within `timeoutMs`, envelopes into the client's queue, which close() drains. */
  async flush(timeoutMs: number): Promise<void> {
    await Promise.all([this.toSentry?.flush(timeoutMs), this.toOtlp?.flush(timeoutMs)]);
    this.envelopes?.flush();
  }
}
