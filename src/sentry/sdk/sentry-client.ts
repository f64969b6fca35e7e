import { type DsnComponents, debug, SDK_VERSION } from '@sentry/core';
import { ServerRuntimeClient, type ServerRuntimeClientOptions } from '@sentry/core/server';
import { orgIdFromDsn, type SdkInfo } from '../tracing/index.js';
import { type SentryClientOptions, sentryOptions } from './client-options.js';
import { captureReport } from './error-event.js';
import { outcomeOfDrop, outcomeOfResponse } from './outcomes.js';
import { RequestSpans } from './request-spans.js';
import type { SdkAdapter } from './sdk-adapter.js';
import { sentryTransport } from './transport.js';

/** As the Node SDK's client: outcomes (client reports) go out once a minute and on close. */
const CLIENT_REPORT_INTERVAL_MS = 60_000;
/**
 * The Sentry client: the SDK's server-runtime client, which @sentry/node's own client extends
 * with what the sidecar turns off anyway (OpenTelemetry, async-context tracking, module-loader
 * hooks, default integrations). Loading @sentry/node for it would keep megabytes of module code
 * that never runs in memory (docs/PERFORMANCE.md); only the transport through an HTTP proxy
 * still comes from there.
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
 * Sentry's OTLP traces endpoint for a DSN, `/api/<project>/integration/otlp/v1/traces`, with the
 * DSN's public key in `x-sentry-auth`. Sentry applies no server-side sampling there: the
 * sidecar's own decides.
 */
export function sentryOtlpEndpoint(dsn: DsnComponents, timeoutMs: number) {
  // The same base as the SDK's envelope endpoint, from the DSN the client parsed.
  const base = `${dsn.protocol}://${dsn.host}${dsn.port ? `:${dsn.port}` : ''}${dsn.path ? `/${dsn.path}` : ''}`;
  const url = new URL(`${base}/api/${dsn.projectId}/integration/otlp/v1/traces`);
  return { url, headers: { 'x-sentry-auth': `sentry sentry_key=${dsn.publicKey ?? ''}` }, timeoutMs };
}

/** Starts a Sentry client for this sidecar, behind the adapter the rest of src/sentry calls. */
export async function createSentryClient(options: SentryClientOptions): Promise<SdkAdapter> {
  const { config, metrics } = options;
  const transport = await sentryTransport(
    { metrics, timeoutMs: config.transportTimeoutMs, logger: options.logger, status: options.status },
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
  const dsn = client.getDsn();
  const identity = {
    environment: config.environment,
    release,
    publicKey: dsn?.publicKey ?? '',
    orgId: orgIdFromDsn(config.dsn),
  };
  const spans = new RequestSpans({
    // The SDK's own envelope type is not exported; a span envelope is the same tuple it builds.
    sendEnvelope: (envelope) =>
      client.sendEnvelope(envelope as unknown as Parameters<typeof client.sendEnvelope>[0]),
    metrics,
    identity: { environment: config.environment, release, sdk },
    logger: options.logger,
    sentryOtlp:
      config.tracesProtocol === 'otlp' && dsn !== undefined
        ? sentryOtlpEndpoint(dsn, config.transportTimeoutMs)
        : undefined,
    otlp: config.otlpTraces,
  });

  return {
    identity,
    startRequestSpan: (decision, name, dsc, attributes) => spans.start(decision, name, dsc, attributes),
    capture: (report, trace) => captureReport(client, report, trace),
    close: async (timeoutMs: number) => {
      // Spans still waiting for their batch are sent, or go into the client's queue, which close() drains.
      const started = Date.now();
      await spans.flush(timeoutMs);
      return client.close(Math.max(1, timeoutMs - (Date.now() - started)));
    },
  };
}
