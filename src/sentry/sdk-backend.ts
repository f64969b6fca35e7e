import { performance } from 'node:perf_hooks';
import {
  type Event,
  getSpanStatusFromHttpCode,
  init,
  type NodeOptions,
  Scope,
  SDK_VERSION,
} from '@sentry/node';
import type { SentryConfig } from '../config/sentry.js';
import type { EventTrace, SentryBackend } from './backend.js';
import type { ErrorReport } from './error-report.js';
import type { SentryMetrics } from './metrics.js';
import { outcomeOfDrop, outcomeOfResponse } from './outcomes.js';
import { orgIdFromDsn } from './own-dsc.js';
import { scrubEvent } from './scrub-event.js';
import { type SdkInfo, spanEnvelope } from './span-envelope.js';
import { newSpanId } from './trace-ids.js';
import type { Dsc, TraceDecision } from './trace-propagation.js';
import { guardedTransport, type TransportFactory } from './transport.js';

export interface SdkBackendOptions {
  readonly config: SentryConfig & { readonly dsn: string };
  readonly metrics: SentryMetrics;
  /** Called once the transport knows what became of an event. */
  readonly onDelivered: (eventId: string, outcome: 'sent' | 'failed') => void;
  /** Replaces the SDK's HTTP transport (an embedder's proxy, a test double); still counted. */
  readonly transport?: TransportFactory | undefined;
}

/**
 * How the sidecar's settings map onto @sentry/node 11:
 *
 * - No default integrations. The HTTP integration would instrument the proxy's own server and
 *   its upstream client a second time and cost every request; Console, OnUncaughtException,
 *   LocalVariables, ContextLines and RequestData would collect data the sidecar scrubs itself
 *   or must never send; Dedupe is replaced by the per-fingerprint rate limit.
 * - `dataCollection` turned fully off: v11 collects headers, cookies, query strings and bodies
 *   by default, and replaced `sendDefaultPii` with this object. The sidecar builds every field
 *   of every event from scrubbed data instead.
 * - `enableTracing` no longer exists (tracing is on when a sample rate or sampler is set). The
 *   SDK itself starts no spans here (`tracesSampleRate: 0`, which also keeps it from reading
 *   SENTRY_TRACES_SAMPLE_RATE on its own): the sidecar samples per route, propagates the trace
 *   headers and sends each sampled request's span itself (span-envelope.ts), in the streamed
 *   span format of `traceLifecycle: 'stream'`, the v11 default.
 * - Profiling needs @sentry/profiling-node and would profile the proxy, not the backend, so
 *   SENTRY_PROFILES_SAMPLE_RATE is accepted but not mapped.
 * - `enableRuntimeChannelInjection: false`: no module loader hooks rewriting Express and friends.
 */
export function sentryOptions(options: SdkBackendOptions): NodeOptions {
  const { config, metrics } = options;
  return {
    dsn: config.dsn,
    environment: config.environment,
    ...(config.release === undefined ? {} : { release: config.release }),
    debug: config.debug,
    defaultIntegrations: false,
    integrations: [],
    tracesSampleRate: 0,
    traceLifecycle: 'stream',
    propagateTraceparent: true,
    enableOpenTelemetrySetup: false,
    enableRuntimeChannelInjection: false,
    attachStacktrace: false,
    maxBreadcrumbs: 0,
    sendClientReports: true,
    shutdownTimeout: config.flushTimeoutMs,
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      graphQL: { document: false, variables: false },
      genAI: { inputs: false, outputs: false },
      mcp: { inputs: false, outputs: false },
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
      frameContextLines: 0,
    },
    transport: guardedTransport({ metrics, timeoutMs: config.transportTimeoutMs }, options.transport),
    transportOptions: { bufferSize: config.transportQueueSize },
    beforeSend: scrubEvent,
  };
}

/** Wall-clock seconds with the monotonic clock's precision. */
function nowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}

function toEvent(report: ErrorReport): Event {
  const event: Event = {
    level: report.level,
    fingerprint: [...report.fingerprint],
    tags: { ...report.tags },
  };
  if (report.exception) {
    event.exception = {
      values: [
        {
          type: report.exception.type,
          value: report.exception.value,
          mechanism: { type: 'sidecar.ingest', handled: true },
          ...(report.exception.frames
            ? { stacktrace: { frames: report.exception.frames.map((f) => ({ ...f })) } }
            : {}),
        },
      ],
    };
  } else {
    event.message = report.message;
  }
  if (report.transaction) event.transaction = report.transaction;
  if (report.request) event.request = { ...report.request, headers: { ...report.request.headers } };
  if (report.user) event.user = { id: report.user.id };
  if (report.contexts) event.contexts = structuredClone(report.contexts) as Event['contexts'];
  if (report.extra) event.extra = structuredClone(report.extra) as Event['extra'];
  if (report.timestamp) event.timestamp = report.timestamp;
  return event;
}

/**
 * Starts the Sentry SDK for this process. Sentry's client is process-global: one sidecar per
 * process owns it (tests run each Sentry-enabled sidecar in its own process).
 */
export function startSdkBackend(options: SdkBackendOptions): SentryBackend {
  const { config, metrics } = options;
  const client = init(sentryOptions(options));
  if (!client) throw new Error('the Sentry SDK did not start (it only runs on the main thread)');

  // Losses the client itself decides (sampling, event processors, its processing queue). The
  // transport reports its own through the bound original, wrapped in transport.ts, so no loss
  // is counted twice.
  const recordDropped = client.recordDroppedEvent.bind(client);
  client.recordDroppedEvent = (reason, category, count = 1) => {
    if (category === 'error') metrics.event(outcomeOfDrop(reason), count);
    recordDropped(reason, category, count);
  };
  client.on('afterSendEvent', (event, response) => {
    if (event.type !== undefined) return;
    const outcome = outcomeOfResponse(response.statusCode);
    if (outcome) metrics.event(outcome);
    if (event.event_id) options.onDelivered(event.event_id, outcome === 'sent' ? 'sent' : 'failed');
  });

  const sdk: SdkInfo = {
    name: client.getSdkMetadata()?.sdk?.name ?? 'sentry.javascript.node',
    version: SDK_VERSION,
  };
  const spanIdentity = { environment: config.environment, release: config.release, sdk };
  const dsn = client.getDsn();
  const identity = {
    environment: config.environment,
    release: config.release,
    publicKey: dsn?.publicKey ?? '',
    orgId: orgIdFromDsn(config.dsn),
  };

  return {
    identity,
    startRequestSpan(decision: TraceDecision, name: string, dsc: Dsc, attributes) {
      const spanId = newSpanId();
      const start = nowSeconds();
      return {
        spanId,
        end(status) {
          const envelope = spanEnvelope(
            {
              traceId: decision.traceId,
              spanId,
              parentSpanId: decision.parentSpanId,
              name,
              start,
              end: nowSeconds(),
              sampleRate: decision.sampleRate,
              httpStatus: status,
              statusMessage: status === undefined ? undefined : getSpanStatusFromHttpCode(status).message,
              attributes,
            },
            dsc,
            spanIdentity,
          );
          // The SDK's own envelope type is not exported; this is the same tuple it builds.
          void client.sendEnvelope(envelope as unknown as Parameters<typeof client.sendEnvelope>[0]);
        },
      };
    },
    capture(report: ErrorReport, trace: EventTrace | undefined): string {
      const event = toEvent(report);
      const scope = new Scope();
      scope.setClient(client);
      if (trace) {
        scope.setPropagationContext({
          traceId: trace.traceId,
          sampleRand: trace.sampleRand,
          propagationSpanId: trace.spanId,
          ...(trace.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}),
          ...(trace.sampled === undefined ? {} : { sampled: trace.sampled }),
          dsc: trace.dsc,
        });
      }
      return client.captureEvent(event, undefined, scope);
    },
    close: async (timeoutMs: number) => client.close(timeoutMs),
  };
}
