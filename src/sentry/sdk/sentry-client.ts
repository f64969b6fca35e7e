import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  applySdkMetadata,
  createStackParser,
  debug,
  type Event,
  getSpanStatusFromHttpCode,
  Scope,
  SDK_VERSION,
} from '@sentry/core';
import {
  _INTERNAL_getReleaseFromCommitEnv,
  nodeStackLineParser,
  ServerRuntimeClient,
  type ServerRuntimeClientOptions,
} from '@sentry/core/server';
import type { SentryConfig } from '../../config/sentry.js';
import type { Logger } from '../../log/logger.js';
import type { ErrorReport } from '../capture/index.js';
import type { SentryMetrics } from '../metrics.js';
import { scrubEvent } from '../scrub/index.js';
import {
  type Dsc,
  newSpanId,
  orgIdFromDsn,
  type SdkInfo,
  SpanBatch,
  type SpanEnvelope,
  spanEnvelope,
  type TraceDecision,
} from '../tracing/index.js';
import { outcomeOfDrop, outcomeOfResponse } from './outcomes.js';
import type { EventTrace, SdkAdapter } from './sdk-adapter.js';
import { sentryTransport, type TransportFactory } from './transport.js';

export interface SentryClientOptions {
  readonly config: SentryConfig & { readonly dsn: string };
  readonly metrics: SentryMetrics;
  readonly logger: Logger;
  /** Called once the transport knows what became of an event. */
  readonly onDelivered: (eventId: string, outcome: 'sent' | 'failed') => void;
  /** Replaces the SDK's HTTP transport (an embedder's proxy, a test double); still counted. */
  readonly transport?: TransportFactory | undefined;
}

/**
 * SENTRY_RELEASE, else what the Node SDK would detect from the deployment's commit variables
 * (`GITHUB_SHA`, `VERCEL_GIT_COMMIT_SHA`, `HEROKU_SLUG_COMMIT`…), else none. One value for
 * events, spans and the trace's sampling context.
 */
export function releaseOf(config: SentryConfig): string | undefined {
  return config.release ?? _INTERNAL_getReleaseFromCommitEnv();
}

/** As the Node SDK's client: outcomes (client reports) go out once a minute and on close. */
const CLIENT_REPORT_INTERVAL_MS = 60_000;
/**
 * How long a span envelope may wait for others to leave with, and how many may wait
 * (span-batch.ts). Batches of 16 saved more CPU but, each opening as many connections at once,
 * raised peak RSS under load by 4–10 MB; 4 cost none.
 */
const SPAN_HOLD_MS = 100;
const SPAN_BATCH_MAX = 4;

/**
 * The Sentry client: the SDK's server-runtime client, which @sentry/node's own client extends
 * with what the sidecar turns off anyway (OpenTelemetry, async-context tracking, module-loader
 * hooks, default integrations). Loading @sentry/node for it would cost ~10 MB of RSS in module
 * code that never runs; only the transport through an HTTP proxy still comes from there.
 */
class SidecarClient extends ServerRuntimeClient {
  private readonly reports: NodeJS.Timeout | undefined;

  constructor(options: ServerRuntimeClientOptions) {
    super(options);
    if (options.sendClientReports) {
      this.reports = setInterval(() => this._flushOutcomes(), CLIENT_REPORT_INTERVAL_MS).unref();
    }
  }

  override async flush(timeout?: number): Promise<boolean> {
    if (this.getOptions().sendClientReports) this._flushOutcomes();
    return super.flush(timeout);
  }

  override async close(timeout?: number): Promise<boolean> {
    clearInterval(this.reports);
    return super.close(timeout);
  }
}

/**
 * How the sidecar's settings map onto the Sentry JavaScript SDK 11:
 *
 * - No integrations. Those @sentry/node installs by default would instrument the proxy's own
 *   server and its upstream client a second time (HTTP), or collect data the sidecar scrubs
 *   itself or must never send (Console, OnUncaughtException, LocalVariables, ContextLines,
 *   RequestData); Dedupe is replaced by the per-fingerprint rate limit.
 * - `dataCollection` turned fully off: v11 collects headers, cookies, query strings and bodies
 *   by default, and replaced `sendDefaultPii` with this object. The sidecar builds every field
 *   of every event from scrubbed data instead.
 * - `enableTracing` no longer exists (tracing is on when a sample rate or sampler is set). The
 *   SDK itself starts no spans here (`tracesSampleRate: 0`): the sidecar samples per route,
 *   propagates the trace headers and sends each sampled request's span itself
 *   (span-envelope.ts), in the streamed span format of v11. `traceLifecycle: 'static'` keeps
 *   the SDK from installing its span-streaming buffer, which would have no span to hold.
 * - The event identifies itself as @sentry/node's would: platform `node`, the Node runtime, the
 *   host name as `server_name` (the pod's name in Kubernetes), SDK `sentry.javascript.node`.
 * - Profiling needs @sentry/profiling-node and would profile the proxy, not the backend, so
 *   SENTRY_PROFILES_SAMPLE_RATE is accepted but not mapped.
 */
export function sentryOptions(
  options: SentryClientOptions,
  transport: TransportFactory,
): ServerRuntimeClientOptions {
  const { config } = options;
  const release = releaseOf(config);
  const clientOptions: ServerRuntimeClientOptions = {
    dsn: config.dsn,
    environment: config.environment,
    ...(release === undefined ? {} : { release }),
    debug: config.debug,
    integrations: [],
    // Only for errors inside the SDK itself: the sidecar's events carry frames it parsed already.
    stackParser: createStackParser(nodeStackLineParser()),
    tracesSampleRate: 0,
    traceLifecycle: 'static',
    propagateTraceparent: true,
    attachStacktrace: false,
    maxBreadcrumbs: 0,
    sendClientReports: true,
    platform: 'node',
    runtime: { name: 'node', version: process.version },
    serverName: hostname(),
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
    transport,
    transportOptions: { bufferSize: config.transportQueueSize },
    beforeSend: scrubEvent,
  };
  applySdkMetadata(clientOptions, 'node');
  return clientOptions;
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

/** Starts a Sentry client for this sidecar, behind the adapter the rest of src/sentry calls. */
export async function createSentryClient(options: SentryClientOptions): Promise<SdkAdapter> {
  const { config, metrics } = options;
  const transport = await sentryTransport(
    { metrics, timeoutMs: config.transportTimeoutMs, logger: options.logger },
    config.dsn,
    options.transport,
  );
  // SENTRY_DEBUG: the SDK's own logging, which `Sentry.init()` would switch on from `debug`.
  if (config.debug) debug.enable();
  const client = new SidecarClient(sentryOptions(options, transport));
  client.init();

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
  // The one release sentryOptions() decided, for spans and the sampling context as for events.
  const release = client.getOptions().release;
  const spanIdentity = { environment: config.environment, release, sdk };
  const dsn = client.getDsn();
  const identity = {
    environment: config.environment,
    release,
    publicKey: dsn?.publicKey ?? '',
    orgId: orgIdFromDsn(config.dsn),
  };

  const spans = new SpanBatch<SpanEnvelope>(
    (envelope) => {
      // The SDK's own envelope type is not exported; this is the same tuple it builds. The
      // transport counts the spans it loses itself; one Sentry refused is counted here.
      void client
        .sendEnvelope(envelope as unknown as Parameters<typeof client.sendEnvelope>[0])
        .then((response) => {
          const outcome = outcomeOfResponse(response.statusCode);
          if (outcome !== undefined && outcome !== 'sent') metrics.spanDropped(outcome);
        });
    },
    SPAN_HOLD_MS,
    SPAN_BATCH_MAX,
  );

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
          spans.add(envelope);
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
    close: async (timeoutMs: number) => {
      // Spans still waiting for their batch go into the client's queue, which close() drains.
      spans.flush();
      return client.close(timeoutMs);
    },
  };
}
