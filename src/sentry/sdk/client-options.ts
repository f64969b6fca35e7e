import { hostname } from 'node:os';
import { applySdkMetadata, createStackParser } from '@sentry/core';
import {
  _INTERNAL_getReleaseFromCommitEnv,
  nodeStackLineParser,
  type ServerRuntimeClientOptions,
} from '@sentry/core/server';
import type { SentryConfig } from '../../config/sentry.js';
import type { Logger } from '../../log/logger.js';
import type { SentryMetrics } from '../metrics.js';
import { scrubEvent } from '../scrub/index.js';
import type { SendStatus } from './send-status.js';
import type { TransportFactory } from './transport.js';

export interface SentryClientOptions {
  readonly config: SentryConfig & { readonly dsn: string };
  readonly metrics: SentryMetrics;
  readonly logger: Logger;
  /** Called once the transport knows what became of an event. */
  readonly onDelivered: (eventId: string, outcome: 'sent' | 'failed') => void;
  /** Where sending stands (send-status.ts), kept up to date by the transport. */
  readonly status?: SendStatus | undefined;
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
 *   (tracing/span-envelope.ts), in the streamed span format of v11. `traceLifecycle: 'static'`
 *   keeps the SDK from installing its span-streaming buffer, which would have no span to hold.
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
