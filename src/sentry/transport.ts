import http from 'node:http';
import https from 'node:https';
import { makeNodeTransport, type NodeOptions } from '@sentry/node';
import type { SentryMetrics } from './metrics.js';
import { outcomeOfDrop } from './outcomes.js';

export type TransportFactory = NonNullable<NodeOptions['transport']>;
type TransportOptions = Parameters<TransportFactory>[0];
type HttpModule = NonNullable<TransportOptions['httpModule']>;

export interface TransportGuards {
  readonly metrics: SentryMetrics;
  /** Deadline for one request to Sentry, from start to response headers. */
  readonly timeoutMs: number;
}

/**
 * The SDK's own Node transport with a deadline on each request and its losses counted.
 *
 * The SDK bounds how many requests run at once (`transportOptions.bufferSize`, overflow counted
 * as `queue_overflow`) but sets no deadline: a Sentry that accepts connections and never answers
 * would hold every slot forever, and after it recovers nothing would be sent again. With the
 * deadline, a hung request fails (`dropped`) and frees its slot. Nothing on the proxy path waits
 * for any of this.
 */
function timedHttpModule(protocol: string, guards: TransportGuards): HttpModule {
  const native = protocol === 'https:' ? https : http;
  return {
    request(options, callback) {
      const req = native.request(
        options as http.RequestOptions,
        callback as (res: http.IncomingMessage) => void,
      );
      guards.metrics.requestStarted();
      const timer = setTimeout(() => {
        req.destroy(
          Object.assign(new Error(`no answer from Sentry within ${guards.timeoutMs} ms`), {
            code: 'ETIMEDOUT',
          }),
        );
      }, guards.timeoutMs);
      timer.unref();
      req.once('close', () => {
        clearTimeout(timer);
        guards.metrics.requestEnded();
      });
      return req;
    },
  };
}

/**
 * Wraps a transport factory (the SDK's by default, an injected one in tests or embedders) so
 * that every error event the transport loses is counted in `sidecar_sentry_events_total`.
 */
export function guardedTransport(
  guards: TransportGuards,
  base: TransportFactory = makeNodeTransport,
): TransportFactory {
  return (options: TransportOptions) => {
    const record = options.recordDroppedEvent;
    return base({
      ...options,
      httpModule: options.httpModule ?? timedHttpModule(new URL(options.url).protocol, guards),
      recordDroppedEvent: (reason, category, count = 1) => {
        if (category === 'error') guards.metrics.event(outcomeOfDrop(reason), count);
        record(reason, category, count);
      },
    });
  };
}
