import type { SentryConfig } from '../../config/sentry.js';
import type { Logger } from '../../log/logger.js';
import { VERSION } from '../../version.js';
import type { SentryMetrics } from '../metrics.js';
import type { SpanStarter } from '../tracing/index.js';

/**
 * Tracing without Sentry: with no `SENTRY_DSN` but an OTLP endpoint (`OTEL_EXPORTER_OTLP_*`),
 * the sidecar still decides, propagates and exports the spans of sampled requests, to Tempo,
 * Jaeger or a Collector. The trace headers the backend receives are the same, with an empty
 * `sentry-public_key` in the baggage. The span code loads when tracing starts, as the Sentry
 * client does, so a sidecar without either never holds it.
 */
export type OtlpOnlySpans = SpanStarter & { flush(timeoutMs: number): Promise<void> };

export function wantsOtlpOnlySpans(config: SentryConfig): boolean {
  return config.dsn === undefined && config.enableTracing && config.otlpTraces.endpoint !== undefined;
}

export async function startOtlpOnlySpans(
  config: SentryConfig,
  metrics: SentryMetrics,
  logger: Logger,
): Promise<OtlpOnlySpans> {
  const { RequestSpans } = await import('./request-spans.js');
  const spans = new RequestSpans({
    metrics,
    logger,
    identity: {
      environment: config.environment,
      release: config.release,
      sdk: { name: 'observability-sidecar', version: VERSION },
    },
    otlp: config.otlpTraces,
  });
  return {
    identity: { environment: config.environment, release: config.release, publicKey: '', orgId: undefined },
    startRequestSpan: (decision, name, dsc, attributes) => spans.start(decision, name, dsc, attributes),
    flush: (timeoutMs) => spans.flush(timeoutMs),
  };
}
