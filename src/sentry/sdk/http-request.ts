import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { BaseTransportOptions, createTransport } from '@sentry/core';
import type { SentryMetrics } from '../metrics.js';

/** The HTTP requests that carry envelopes to Sentry, each with a deadline. */

type NodeTransport = typeof import('@sentry/node').makeNodeTransport;
type HttpModule = NonNullable<Parameters<NodeTransport>[0]['httpModule']>;
type TransportRequest = Parameters<Parameters<typeof createTransport>[1]>[0];
type TransportResponse = Awaited<ReturnType<Parameters<typeof createTransport>[1]>>;

export interface RequestGuards {
  readonly metrics: SentryMetrics;
  /** Deadline for one request to Sentry, from its start (including a wait for a pooled socket) to its end. */
  readonly timeoutMs: number;
}

/** Bodies above this are gzipped, as the SDK's own transport does; spans and most events are smaller. */
const GZIP_THRESHOLD = 32 * 1024;
/** In libuv's thread pool: a large event compressed on the main thread would hold up proxied requests. */
const gzipAsync = promisify(gzip);

function deadline(req: http.ClientRequest, guards: RequestGuards): void {
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
export function timedHttpModule(protocol: string, guards: RequestGuards): HttpModule {
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

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * The request half of a transport, without the SDK's stream plumbing: the envelope is written
 * with one `end()`, under the SDK's `createTransport`, which keeps its queue bound, rate-limit
 * backoff, client reports and flush. It costs clearly less CPU per envelope than the SDK's Node
 * transport, which pipes a stream per envelope (docs/PERFORMANCE.md), and every sampled request
 * sends one envelope.
 */
export function leanRequest(url: URL, options: BaseTransportOptions, guards: RequestGuards) {
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
