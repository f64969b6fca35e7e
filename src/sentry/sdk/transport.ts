import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
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
import type { SentryMetrics } from '../metrics.js';
import { outcomeOfDrop } from './outcomes.js';
import { SendPause, type SendPauseOptions } from './send-pause.js';

export type TransportFactory = (options: BaseTransportOptions) => Transport;
type TransportOptions = BaseTransportOptions;
type NodeTransport = typeof import('@sentry/node').makeNodeTransport;
type HttpModule = NonNullable<Parameters<NodeTransport>[0]['httpModule']>;
type TransportRequest = Parameters<Parameters<typeof createTransport>[1]>[0];
type TransportResponse = Awaited<ReturnType<Parameters<typeof createTransport>[1]>>;

export interface TransportGuards {
  readonly metrics: SentryMetrics;
  /** Deadline for one request to Sentry, from its start (including a wait for a pooled socket) to its end. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** The pause's thresholds and clock; PAUSE below unless a test sets them. */
  readonly pause?: SendPauseOptions;
}

/** Consecutive failures to reach Sentry before sending pauses, and the pauses' bounds. */
const PAUSE = { threshold: 3, firstMs: 1000, maxMs: 60_000 } as const;

/** Bodies above this are gzipped, as the SDK's own transport does; spans and most events are smaller. */
const GZIP_THRESHOLD = 32 * 1024;
/** In libuv's thread pool: a large event compressed on the main thread would hold up proxied requests. */
const gzipAsync = promisify(gzip);

function deadline(req: http.ClientRequest, guards: TransportGuards): void {
  guards.metrics.requestStarted();
  const timer = setTimeout(() => {
    req.destroy(
      Object.assign(new Error(`no answer from Sentry within ${guards.timeoutMs} ms`), { code: 'ETIMEDOUT' }),
    );
  }, guards.timeoutMs);
  timer.unref();
  req.once('close', () => {
    clearTimeout(timer);
    guards.metrics.requestEnded();
  });
}

/**
 * Node's http module with a deadline on each request, for the SDK's transport when it goes
 * through an HTTP proxy.
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
      deadline(req, guards);
      return req;
    },
  };
}

/** The proxy the SDK's Node transport would use for `url`, from the environment. */
function proxyFor(url: URL): string | undefined {
  const proxy = (url.protocol === 'https:' ? process.env.https_proxy : undefined) || process.env.http_proxy;
  if (!proxy) return undefined;
  const exempt = process.env.no_proxy
    ?.split(',')
    .some((e) => url.host.endsWith(e) || url.hostname.endsWith(e));
  return exempt ? undefined : proxy;
}

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * The request half of a transport, without the SDK's stream plumbing: the envelope is written
 * with one `end()`. Measured on this machine against a local sink: the SDK's Node transport
 * costs ~125 µs of CPU per envelope, this one under the SDK's `createTransport` (which keeps
 * its queue bound, rate-limit backoff, client reports and flush) ~80 µs. Every sampled request
 * sends one envelope, so at 10% sampling that is ~4–5 µs off every proxied request.
 */
function leanRequest(url: URL, options: TransportOptions, guards: TransportGuards) {
  const native = url.protocol === 'https:' ? https : http;
  const agent = new native.Agent({ keepAlive: true, maxSockets: 30, timeout: 2000 });
  const base: http.RequestOptions & https.RequestOptions = {
    method: 'POST',
    agent,
    // Brackets are URL syntax, not part of an IPv6 address.
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: url.pathname + url.search,
  };

  return async function makeRequest(request: TransportRequest): Promise<TransportResponse> {
    let body: string | Uint8Array = request.body;
    const headers: Record<string, string> = { ...options.headers };
    if (body.length > GZIP_THRESHOLD) {
      body = await gzipAsync(body);
      headers['content-encoding'] = 'gzip';
    }
    const send = (canRetry: boolean): Promise<TransportResponse> =>
      new Promise((resolve, reject) => {
        let answered = false;
        const req = native.request({ ...base, headers }, (res) => {
          answered = true;
          // The answer's body says nothing the status and headers do not; it is read and dropped,
          // and a connection that breaks while it arrives changes nothing.
          res.on('error', () => {});
          res.resume();
          resolve({
            statusCode: res.statusCode,
            headers: {
              'retry-after': header(res.headers['retry-after']),
              'x-sentry-rate-limits': header(res.headers['x-sentry-rate-limits']),
            },
          });
        });
        deadline(req, guards);
        req.on('error', (error: NodeJS.ErrnoException) => {
          // Once answered, an error on the connection changes nothing about this envelope.
          if (answered) return;
          // A pooled connection Sentry closed meanwhile: once more on a fresh one, as the SDK does.
          if (canRetry && req.reusedSocket && error.code === 'ECONNRESET') resolve(send(false));
          else reject(error);
        });
        req.end(body);
      });
    return send(true);
  };
}

/**
 * The transport with the pause of send-pause.ts around it. A refused envelope never reaches the
 * SDK's queue; its items are counted as lost the way the SDK counts its own network errors.
 */
function pausing(transport: Transport, options: TransportOptions, guards: TransportGuards): Transport {
  const pause = new SendPause(guards.pause ?? PAUSE);
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
            guards.logger.info('Sentry reachable again: sending resumed');
          }
          return response;
        },
        (error: unknown) => {
          const ms = pause.failed(startedAt);
          if (ms !== undefined) {
            guards.metrics.unreachable(true);
            guards.logger.warn(
              { reason: (error as NodeJS.ErrnoException).code ?? String(error), pause_ms: ms },
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
