import {
  type BaseTransportOptions,
  createTransport,
  type Envelope,
  envelopeContainsItemType,
  envelopeItemTypeToDataCategory,
  forEachEnvelopeItem,
  type Transport,
  type TransportMakeRequestResponse,
} from '@sentry/core';
import type { Logger } from '../../log/logger.js';
import { leanRequest, type RequestGuards, timedHttpModule } from './http-request.js';
import { outcomeOfDrop } from './outcomes.js';
import { SendPause, type SendPauseOptions } from './send-pause.js';
import type { SendStatus } from './send-status.js';

export type TransportFactory = (options: BaseTransportOptions) => Transport;
type TransportOptions = BaseTransportOptions;

export interface TransportGuards extends RequestGuards {
  readonly logger: Logger;
  /** The pause's thresholds and clock; PAUSE below unless a test sets them. */
  readonly pause?: SendPauseOptions;
  /** Told when a pause starts and ends, for /health and the status page. */
  readonly status?: SendStatus | undefined;
}

/** Consecutive failures to reach Sentry before sending pauses, and the pauses' bounds. */
const PAUSE = { threshold: 3, firstMs: 1000, maxMs: 60_000 } as const;

/** The proxy the SDK's Node transport would use for `url`, from the environment. */
function proxyFor(url: URL): string | undefined {
  const proxy = (url.protocol === 'https:' ? process.env.https_proxy : undefined) || process.env.http_proxy;
  if (!proxy) return undefined;
  const exempt = process.env.no_proxy
    ?.split(',')
    .some((e) => url.host.endsWith(e) || url.hostname.endsWith(e));
  return exempt ? undefined : proxy;
}

/**
 * The transport with the pause of send-pause.ts around it. A refused envelope never reaches the
 * SDK's queue; its items are counted as lost the way the SDK counts its own network errors.
 */
function pausing(transport: Transport, options: TransportOptions, guards: TransportGuards): Transport {
  const pause = new SendPause(guards.pause ?? PAUSE);
  const now = guards.pause?.now ?? Date.now;
  const refused = (envelope: Envelope): Promise<TransportMakeRequestResponse> => {
    // As the SDK does: a lost client report is not itself reported, or losses would feed losses.
    if (!envelopeContainsItemType(envelope, ['client_report'])) {
      forEachEnvelopeItem(envelope, ([headers], type) => {
        const count = typeof headers.item_count === 'number' ? headers.item_count : 1;
        options.recordDroppedEvent('network_error', envelopeItemTypeToDataCategory(type), count);
      });
    }
    return Promise.resolve({});
  };
  return {
    send(envelope) {
      if (!pause.admit()) return refused(envelope);
      const startedAt = pause.started();
      return transport.send(envelope).then(
        (response) => {
          // No status: held back by a rate limit or a full queue, without asking Sentry.
          if (response.statusCode === undefined) pause.inconclusive();
          else if (pause.succeeded()) {
            guards.metrics.unreachable(false);
            guards.status?.resumed(now());
            guards.logger.info('Sentry reachable again: sending resumed');
          }
          return response;
        },
        (error: unknown) => {
          const ms = pause.failed(startedAt);
          if (ms !== undefined) {
            const reason = (error as NodeJS.ErrnoException).code ?? String(error);
            guards.metrics.unreachable(true);
            guards.status?.paused(now(), ms, reason);
            guards.logger.warn(
              { reason, pause_ms: ms },
              'Sentry unreachable: sending paused, events and spans meanwhile counted as dropped',
            );
          }
          throw error;
        },
      );
    },
    flush: (timeout) => transport.flush(timeout),
  };
}

/**
 * The transport factory: the lean request above under the SDK's `createTransport`, or the SDK's
 * own Node transport when an HTTP proxy applies to the DSN's host (it knows how to tunnel through
 * one; loaded only then), or an injected factory (tests, embedders). Whichever it is, every error
 * event the transport loses is counted in `sidecar_sentry_events_total`, every span in
 * `sidecar_sentry_spans_dropped_total`.
 */
export async function sentryTransport(
  guards: TransportGuards,
  dsn: string,
  injected?: TransportFactory,
): Promise<TransportFactory> {
  const dsnUrl = new URL(dsn);
  const nodeTransport =
    injected === undefined && proxyFor(dsnUrl) !== undefined
      ? (await import('@sentry/node')).makeNodeTransport
      : undefined;
  return (options: TransportOptions) => {
    const record = options.recordDroppedEvent;
    const counted: TransportOptions = {
      ...options,
      recordDroppedEvent: (reason, category, count = 1) => {
        if (category === 'error') guards.metrics.event(outcomeOfDrop(reason), count);
        else if (category === 'span') guards.metrics.spanDropped(outcomeOfDrop(reason), count);
        record(reason, category, count);
      },
    };
    if (injected) return injected(counted);
    const url = new URL(options.url);
    const transport = nodeTransport
      ? nodeTransport({ ...counted, httpModule: timedHttpModule(url.protocol, guards) })
      : createTransport(counted, leanRequest(url, options, guards));
    return pausing(transport, counted, guards);
  };
}
