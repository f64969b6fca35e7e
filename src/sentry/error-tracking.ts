import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { SentryConfig } from '../config/sentry.js';
import type { Logger } from '../log/logger.js';
import {
  createErrorsRouter,
  ErrorCapture,
  ErrorLinker,
  type ErrorReporter,
  RateLimiter,
  type RecentError,
  RecentErrors,
} from './capture/index.js';
import { SentryMetrics } from './metrics.js';
import { createProxyObserver, type SentryProxyObserver } from './proxy-observer.js';
import {
  type OtlpOnlySpans,
  type SdkAdapter,
  SendStatus,
  type SentrySendState,
  startOtlpOnlySpans,
  startSentryClient,
  type TransportFactory,
  wantsOtlpOnlySpans,
} from './sdk/index.js';

export interface ErrorTrackingDeps {
  readonly registry: Registry;
  readonly logger: Logger;
  /** The backend's URL; its host:port becomes the `upstream` tag. */
  readonly upstream: URL;
  /** Replaces the SDK's HTTP transport (still bounded and counted). */
  readonly transport?: TransportFactory | undefined;
  readonly now?: () => number;
}

/** Error tracking as the rest of the sidecar sees it. */
export interface ErrorTracking {
  /** True when SENTRY_DSN is set. */
  readonly enabled: boolean;
  /** For other subsystems (the ingest API) to report backend errors. */
  readonly reporter: ErrorReporter;
  /** Pass to createProxyPort's `observers`. */
  readonly observer: SentryProxyObserver;
  /** Mount at /errors on the admin port. */
  readonly router: Router;
  /** Where sending to Sentry stands: disabled, sending, or paused (since when, why, next probe). */
  sendState(): SentrySendState;
  /** The most recent captured errors, newest first, as GET /errors lists them. */
  recentErrors(limit: number): RecentError[];
  /** Starts the Sentry SDK when a DSN is set and logs what is on; never throws. */
  start(): Promise<void>;
  /** Sends pending events within `timeoutMs`, then stops the SDK. */
  close(timeoutMs: number): Promise<void>;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

function dsnHost(dsn: string): string {
  try {
    return new URL(dsn).host;
  } catch {
    return '(invalid)';
  }
}

/** What is on, logged once Sentry has started; the DSN's host only, never its key. */
function logStarted(logger: Logger, config: SentryConfig, dsn: string, release: string | undefined): void {
  const traces = config.enableTracing ? percent(config.tracesSampleRate) : 'off';
  logger.info(
    {
      sentry_host: dsnHost(dsn),
      environment: config.environment,
      release: release ?? null,
      traces_sample_rate: config.enableTracing ? config.tracesSampleRate : 0,
      traces_route_sample_rates: Object.fromEntries(
        config.tracesRouteSampleRates.map((r) => [r.pattern.template, r.rate]),
      ),
      traces_excluded_routes: config.tracesExcludeRoutes.map((p) => p.template),
      incoming_trace_headers: config.incomingTraceHeaders,
      max_events_per_minute: config.maxEventsPerMinute,
      max_events_per_fingerprint_per_minute: config.maxEventsPerFingerprintPerMinute,
    },
    `Sentry error tracking enabled for environment ${config.environment}; traces sample rate ${traces}`,
  );
  if (config.profilesSampleRate > 0) {
    logger.warn(
      { profiles_sample_rate: config.profilesSampleRate },
      'SENTRY_PROFILES_SAMPLE_RATE is accepted but not used: the sidecar does not profile (profile the backend itself)',
    );
  }
}

export function createErrorTracking(config: SentryConfig, deps: ErrorTrackingDeps): ErrorTracking {
  const { logger } = deps;
  const enabled = config.dsn !== undefined;
  const metrics = new SentryMetrics(deps.registry, enabled);
  const recent = new RecentErrors(config.recentErrorsSize, deps.now);
  const limiter = new RateLimiter({
    perMinute: config.maxEventsPerMinute,
    perKeyPerMinute: config.maxEventsPerFingerprintPerMinute,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const capture = new ErrorCapture({ sentryEnabled: enabled, limiter, recent, metrics, logger });
  const linker = new ErrorLinker(capture, metrics, config.errorLinkWindowMs, config.errorLinkMaxPending);
  const upstream = deps.upstream.host;
  let otlpOnly: OtlpOnlySpans | undefined;
  const observer = createProxyObserver({
    config,
    upstream,
    capture,
    linker,
    otlpOnly: wantsOtlpOnlySpans(config) ? () => otlpOnly : undefined,
  });
  const router = createErrorsRouter({ recent, sentryEnabled: enabled, environment: config.environment });
  const status = new SendStatus(enabled ? 'not started yet' : 'SENTRY_DSN is not set');
  let sdk: SdkAdapter | undefined;

  return {
    enabled,
    reporter: { sentryEnabled: enabled, captureAppError: (input) => linker.appError(input) },
    observer,
    router,
    sendState: () => status.current,
    recentErrors: (limit) => recent.list(limit),
    async start() {
      const dsn = config.dsn;
      if (dsn === undefined) {
        logger.warn(
          'Sentry DSN not configured (SENTRY_DSN): error tracking is disabled; recent errors are listed at GET /errors on the admin port',
        );
        if (wantsOtlpOnlySpans(config)) {
          try {
            otlpOnly = await startOtlpOnlySpans(config, metrics, logger);
            logger.info(
              { otlp_endpoint: config.otlpTraces.endpoint?.origin },
              'tracing without Sentry: spans of sampled requests go to the OTLP endpoint (OTEL_EXPORTER_OTLP_*)',
            );
          } catch (error) {
            logger.error({ err: error }, 'tracing failed to start: no spans are exported');
          }
        }
        return;
      }
      try {
        sdk = await startSentryClient({
          config: { ...config, dsn },
          metrics,
          logger,
          transport: deps.transport,
          onDelivered: (eventId, outcome) => recent.delivered(eventId, outcome),
          status,
        });
        capture.attach(sdk);
        status.started(Date.now());
      } catch (error) {
        status.disabled(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
        logger.error({ err: error }, 'Sentry failed to start: errors are listed at GET /errors only');
        return;
      }
      logStarted(logger, config, dsn, sdk.identity.release);
    },
    async close(timeoutMs) {
      // Whatever waits for its other half is sent now, unlinked, before Sentry is flushed.
      linker.flush();
      await otlpOnly?.flush(timeoutMs);
      otlpOnly = undefined;
      const running = sdk;
      if (running === undefined) return;
      sdk = undefined;
      status.disabled('shutting down');
      let flushed = false;
      try {
        // The SDK reads a timeout of 0 as "wait forever".
        flushed = await running.close(Math.max(1, timeoutMs));
      } catch (error) {
        logger.warn({ err: error }, 'Sentry flush failed');
      }
      capture.attach(undefined);
      if (!flushed)
        logger.warn({ timeout_ms: timeoutMs }, 'Sentry events still pending at shutdown were dropped');
    },
  };
}
