import { performance } from 'node:perf_hooks';
import { getSpanStatusFromHttpCode } from '@sentry/core';
import type { SentryMetrics } from '../metrics.js';
import {
  type Dsc,
  newSpanId,
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

/**
 * The spans of sampled requests: each is built as an envelope when its request ends and handed
 * to the client's transport in small batches.
 */
export class RequestSpans {
  private readonly batch: SpanBatch<SpanEnvelope>;

  constructor(
    send: SendEnvelope,
    metrics: SentryMetrics,
    private readonly identity: SpanIdentity,
  ) {
    this.batch = new SpanBatch<SpanEnvelope>(
      (envelope) => {
        // The transport counts the spans it loses itself; one Sentry refused is counted here.
        void send(envelope).then((response) => {
          const outcome = outcomeOfResponse(response.statusCode);
          if (outcome !== undefined && outcome !== 'sent') metrics.spanDropped(outcome);
        });
      },
      SPAN_HOLD_MS,
      SPAN_BATCH_MAX,
    );
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
        const envelope = spanEnvelope(
          {
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
          },
          dsc,
          this.identity,
        );
        this.batch.add(envelope);
      },
    };
  }

  /** Hands every waiting span to the client, whose close() then drains them. */
  flush(): void {
    this.batch.flush();
  }
}
