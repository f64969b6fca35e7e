import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createProxyMiddleware, type Options, proxyEventsPlugin } from 'http-proxy-middleware';
import type { Config } from '../config/config.js';
import { type HttpMetrics, normalizeMethod } from '../http-metrics/http-metrics.js';
import type { Logger } from '../log/logger.js';
import type { RouteLabeler } from '../routes/index.js';
import { attachExchange, type Exchange, exchangeOf } from './exchange.js';
import { applyForwardedHeaders, removeHopByHop, responseHeadOf } from './forwarded-headers.js';
import {
  type Rejection,
  rawRejection,
  rejection,
  rejectionOfParserError,
  sendRejection,
} from './rejections.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { toOriginForm } from './request-target.js';
import {
  CONNECT_TIMEOUT_CODE,
  classifyUpstreamError,
  failure,
  TIMEOUT_CODE,
  timeoutError,
  type UpstreamFailure,
} from './upstream-errors.js';

/** What a finished exchange looked like to the client, as recorded in metrics. */
export interface ExchangeOutcome {
  readonly route: string;
  readonly status: number;
  readonly errorType: string;
  readonly durationSeconds: number;
}

/**
 * Extension points for other subsystems (Sentry, access logs). Each call is guarded: an
 * observer that throws is logged and the request goes on untouched.
 */
export interface ExchangeObserver {
  /** Just before the request leaves for the backend; may add headers to `req.headers`. */
  forwarding?(req: IncomingMessage, exchange: Exchange): void;
  /** Once, when the client connection for this exchange is done. */
  finished?(req: IncomingMessage, exchange: Exchange, outcome: ExchangeOutcome): void;
  /** Exemplar labels for the duration observation (e.g. a trace id), if any. */
  exemplar?(exchange: Exchange): Record<string, string> | undefined;
  /** When the backend's response headers arrive; may listen to `proxyRes` data, never consume it. */
  upstreamResponse?(req: IncomingMessage, exchange: Exchange, proxyRes: IncomingMessage): void;
}

export interface ProxyDeps {
  config: Config;
  metrics: HttpMetrics;
  routes: RouteLabeler;
  logger: Logger;
  observers?: readonly ExchangeObserver[];
}

export interface ProxyPort {
  readonly server: http.Server;
  readonly agent: http.Agent;
  /** Requests and streams in flight. */
  inFlight(): number;
  /** Stop accepting, let in-flight requests finish, resolve when idle or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
}

const CLIENT_ABORT_STATUS = 499;
const SSE = 'text/event-stream';
/** What Node's `writeHead` accepts in a reason phrase (the check it applies to header values). */
const WRITABLE_REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
/**
 * How long keep-alive connections that are idle when draining starts stay open. A request a client
 * sent on one just before is on its way or unread in the socket buffer; closing the connection
 * under it would reset it. Within the grace it is answered instead, with `Connection: close`.
 */
const DRAIN_IDLE_GRACE_MS = 500;

function sendFailure(res: ServerResponse, f: UpstreamFailure, requestId: string, close: boolean): void {
  const body = JSON.stringify({
    error: http.STATUS_CODES[f.status],
    code: f.code,
    message: f.message,
    request_id: requestId,
  });
  // Headers and a reason phrase the backend's response may have set before failing belong to
  // that response, not this one.
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  res.statusMessage = http.STATUS_CODES[f.status] ?? '';
  res.writeHead(f.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    [REQUEST_ID_HEADER]: requestId,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

function writeSocketFailure(socket: Socket, f: UpstreamFailure, requestId: string): void {
  if (!socket.writable) return;
  const body = JSON.stringify({
    error: http.STATUS_CODES[f.status],
    code: f.code,
    message: f.message,
    request_id: requestId,
  });
  socket.end(
    `HTTP/1.1 ${f.status} ${http.STATUS_CODES[f.status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * The proxy port. A plain node:http server hands each request to http-proxy-middleware: the
 * proxy port has no routes of its own, so Express's router would only add work per request.
 */
export function createProxyPort(deps: ProxyDeps): ProxyPort {
  const { config, metrics, routes, logger } = deps;
  const observers = deps.observers ?? [];
  // Looked up once: most configurations have no response observer, and this runs per response.
  const responseObservers = observers.filter((o) => o.upstreamResponse !== undefined);
  const upstream = config.upstream;
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    maxSockets: upstream.maxSockets,
    maxFreeSockets: upstream.maxSockets,
    timeout: upstream.idleTimeoutMs,
    scheduling: 'lifo',
  };
  const agent =
    upstream.url.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;

  function guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      logger.warn({ err: error, hook: what }, 'observer failed; the request goes on');
    }
  }

  function settle(): void {
    inFlight--;
    if (draining && inFlight === 0) drained?.();
  }

  function finish(req: IncomingMessage, res: ServerResponse, ex: Exchange): void {
    ex.closed = true;
    if (ex.timer) clearTimeout(ex.timer);
    // Answered before its body was all read (a refusal, a timeout): the backend request is
    // abandoned rather than left waiting for the rest of a body that will never come.
    if (!req.complete && ex.backendStatus === undefined) ex.proxyReq?.destroy();
    const durationSeconds = (performance.now() - ex.startedAt) / 1000;
    let status: number;
    let errorType: string;
    if (res.writableFinished) {
      status = res.statusCode;
      errorType = ex.failure?.errorType ?? (status >= 500 ? String(status) : '');
    } else if (ex.clientStalled) {
      // As nginx's send_timeout: the status being sent, with the reason it was cut.
      status = res.statusCode;
      errorType = 'client_timeout';
    } else if (ex.upstreamBroke || ex.failure) {
      status = res.headersSent ? res.statusCode : (ex.failure?.status ?? 502);
      errorType = ex.failure?.errorType ?? 'upstream_reset';
      if (!ex.failure) metrics.upstreamFailed(errorType);
    } else {
      status = CLIENT_ABORT_STATUS;
      errorType = 'client_abort';
    }
    ex.routeLabel ??= routes.label(ex.route, ex.backendStatus);
    const route = ex.routeLabel;
    if (ex.stream) {
      metrics.streamFinished(route, ex.stream, errorType, durationSeconds);
    } else {
      let exemplar: Record<string, string> | undefined;
      for (const o of observers) if (o.exemplar) guard('exemplar', () => (exemplar ??= o.exemplar!(ex)));
      metrics.requestFinished({
        method: ex.method,
        route,
        status,
        errorType,
        durationSeconds,
        requestBytes: ex.requestBytes,
        responseBytes: ex.responseBytes,
        exemplar,
      });
    }
    const outcome: ExchangeOutcome = { route, status, errorType, durationSeconds };
    for (const o of observers) if (o.finished) guard('finished', () => o.finished!(req, ex, outcome));
    if (config.accessLog) {
      logger.info(
        {
          request_id: ex.requestId,
          method: req.method,
          route,
          status,
          error_type: errorType || undefined,
          duration_ms: Math.round(durationSeconds * 1e4) / 10,
          request_bytes: ex.requestBytes,
          response_bytes: ex.responseBytes,
        },
        'request',
      );
    }
    settle();
  }

  function failUpstream(ex: Exchange, f: UpstreamFailure): void {
    if (ex.failure) return;
    ex.failure = f;
    metrics.upstreamFailed(f.errorType);
  }

  /**
   * The client's socket is full: the backend's response waits until it drains. A client that
   * stops reading would otherwise hold this backend connection forever, so it gets
   * CLIENT_SEND_TIMEOUT_MS. Built only on backpressure, not for every response.
   */
  function holdBack(res: ServerResponse, ex: Exchange, proxyRes: IncomingMessage): void {
    proxyRes.pause();
    res.once('drain', () => {
      clearTimeout(ex.timer);
      proxyRes.resume();
    });
    clearTimeout(ex.timer);
    ex.timer = setTimeout(() => {
      ex.clientStalled = true;
      logger.warn(
        { request_id: ex.requestId, route: ex.routeLabel, timeout_ms: config.proxy.clientSendTimeoutMs },
        'client read nothing of the response in time (CLIENT_SEND_TIMEOUT_MS); connection closed',
      );
      res.destroy();
    }, config.proxy.clientSendTimeoutMs);
  }

  /**
   * Writes the backend's response to the client (`selfHandleResponse`): status and headers in one
   * `writeHead` of name/value pairs, then the body chunk by chunk with backpressure, counting its
   * bytes on the way. http-proxy-middleware's own path would copy each header with a `setHeader`
   * call and pipe the body, with a second data listener for the count; this is the same result
   * for less work per response. httpxy still destroys each side when the other closes early.
   */
  function relayResponse(
    res: ServerResponse,
    ex: Exchange,
    proxyRes: IncomingMessage,
    headers: string[],
  ): void {
    if (proxyRes.statusMessage) res.statusMessage = proxyRes.statusMessage;
    try {
      res.writeHead(proxyRes.statusCode!, headers);
    } catch {
      // Something Node refuses to write, although its parser let it in (a control character in
      // the reason phrase or a header): the standard reason and the other headers still go.
      if (!WRITABLE_REASON.test(res.statusMessage)) {
        res.statusMessage = http.STATUS_CODES[proxyRes.statusCode!] ?? '';
      }
      const valid: string[] = [];
      for (let i = 0; i < headers.length; i += 2) {
        try {
          http.validateHeaderName(headers[i]!);
          http.validateHeaderValue(headers[i]!, headers[i + 1]!);
          valid.push(headers[i]!, headers[i + 1]!);
        } catch {
          logger.debug(
            { request_id: ex.requestId, header: headers[i] },
            'backend response header dropped: invalid',
          );
        }
      }
      res.writeHead(proxyRes.statusCode!, valid);
    }
    // A stream's headers go at once: a client waits for them to open an EventSource, and a
    // backend may take long before its first event.
    if (ex.stream === 'sse') res.flushHeaders();
    proxyRes.on('data', (chunk: Buffer) => {
      ex.responseBytes += chunk.length;
      if (!res.write(chunk)) holdBack(res, ex, proxyRes);
    });
    proxyRes.once('end', () => res.end());
  }

  const on: Options['on'] = {
    proxyReq(proxyReq, req) {
      const ex = exchangeOf(req);
      if (!ex) return;
      // The client was answered while this request waited for a pooled connection: it is not sent.
      if (ex.closed) return void proxyReq.destroy();
      ex.proxyReq = proxyReq;
      // Most requests have no body; a data listener on those would only cost a resume per request.
      const length = req.headers['content-length'];
      const chunked = req.headers['transfer-encoding'] !== undefined;
      if ((length !== undefined && length !== '0') || chunked) {
        req.on('data', (chunk: Buffer) => {
          ex.requestBytes += chunk.length;
        });
      }
      // httpxy sends a request with a Transfer-Encoding with `Connection: close`, and RFC 9112
      // §9.6 forbids another request on that connection; Node's agent would reuse it all the same
      // if the backend kept it open.
      if (chunked) proxyReq.shouldKeepAlive = false;
      const socket = proxyReq.socket;
      if (socket?.connecting) {
        const connectTimer = setTimeout(
          () => proxyReq.destroy(timeoutError(CONNECT_TIMEOUT_CODE, upstream.connectTimeoutMs)),
          upstream.connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(connectTimer));
        proxyReq.once('close', () => clearTimeout(connectTimer));
      }
    },
    proxyRes(proxyRes, req, res) {
      const ex = exchangeOf(req);
      if (!ex) return;
      if (ex.timer) clearTimeout(ex.timer);
      ex.proxyRes = proxyRes;
      ex.backendStatus = proxyRes.statusCode;
      ex.routeLabel = routes.label(ex.route, ex.backendStatus);
      metrics.upstreamHeadersReceived(ex.method, ex.routeLabel, (performance.now() - ex.startedAt) / 1000);
      // The client was already answered (a timeout): this response has nowhere to go.
      if (res.headersSent) return void proxyRes.resume();
      const head = responseHeadOf(proxyRes.rawHeaders);
      const headers = head.headers;
      if (draining || ex.clientWantsClose) headers.push('connection', 'close');
      // The backend's own id, if it sent one, wins, as it would through any proxy.
      if (!head.requestId) headers.push(REQUEST_ID_HEADER, ex.requestId);
      if (head.contentType?.startsWith(SSE)) {
        ex.stream = 'sse';
        metrics.streamStarted(ex.method, 'sse');
        // nginx honours this header and stops buffering the stream, whatever its own config says.
        if (!head.accelBuffering) headers.push('x-accel-buffering', 'no');
      }
      proxyRes.once('close', () => {
        if (!proxyRes.complete && !ex.closed) ex.upstreamBroke = true;
      });
      for (const o of responseObservers) {
        guard('upstreamResponse', () => o.upstreamResponse!(req, ex, proxyRes));
      }
      try {
        relayResponse(res, ex, proxyRes, headers);
      } catch (error) {
        // Whatever Node refused in this response, the client gets an answer and the process goes on.
        logger.warn({ err: error, request_id: ex.requestId }, 'backend response could not be relayed');
        proxyRes.destroy();
        const f = failure('upstream_protocol_error');
        failUpstream(ex, f);
        if (res.headersSent) res.destroy();
        else sendFailure(res, f, ex.requestId, true);
      }
    },
    error(error, req, res) {
      const ex = exchangeOf(req);
      if (!ex || ex.closed) return;
      const f = ex.failure ?? classifyUpstreamError(error as NodeJS.ErrnoException);
      if (res && 'writeHead' in res) {
        if (ex.backendStatus !== undefined) {
          // The body broke off after the headers: abort so the client cannot mistake it for complete.
          ex.upstreamBroke = true;
          failUpstream(ex, failure('upstream_reset'));
          res.destroy();
          return;
        }
        failUpstream(ex, f);
        if (!res.headersSent) sendFailure(res, f, ex.requestId, draining || ex.clientWantsClose);
        else res.destroy();
      } else if (res) {
        failUpstream(ex, f);
        if (ex.backendStatus === undefined) writeSocketFailure(res as Socket, f, ex.requestId);
      }
      logger.warn(
        {
          request_id: ex.requestId,
          error_type: f.errorType,
          code: (error as NodeJS.ErrnoException).code,
          route: ex.route.template,
        },
        f.message,
      );
    },
    proxyReqWs(proxyReq, req) {
      const ex = exchangeOf(req);
      if (!ex) return;
      ex.proxyReq = proxyReq;
      proxyReq.once('upgrade', (proxyRes) => {
        ex.backendStatus = proxyRes.statusCode ?? 101;
      });
      proxyReq.once('response', (proxyRes) => {
        ex.backendStatus = proxyRes.statusCode;
      });
    },
  };

  const common: Options = {
    // A URL object, not a string: both http-proxy-middleware and httpxy would parse a string per request.
    target: upstream.url,
    changeOrigin: !config.proxy.preserveHost,
    xfwd: false,
    // The default plugins log to the console and answer errors with text; the sidecar keeps only
    // the one that wires `on` handlers, and answers errors itself.
    ejectPlugins: true,
    plugins: [proxyEventsPlugin],
    selfHandleResponse: true,
    on,
  };
  const webProxy = createProxyMiddleware({ ...common, agent });
  // An upgraded socket leaves the pool for good, so WebSockets get their own connections.
  const wsProxy = createProxyMiddleware({ ...common, agent: false, upgradeTimeout: upstream.timeoutMs });

  /** A request the proxy port answers itself instead of forwarding it, if any. */
  function refusal(req: IncomingMessage): Rejection | undefined {
    if (req.url!.length > config.proxy.maxUrlBytes) return rejection('uri_too_long');
    // RFC 9112 §3.2 (Node's own check for this answers without a body and goes uncounted).
    if (req.headers.host === undefined && req.httpVersionMinor === 1) return rejection('bad_request');
    // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty (Node reads it as chunked).
    if (req.httpVersionMinor === 0 && req.headers['transfer-encoding'] !== undefined) {
      return rejection('bad_request');
    }
    return undefined;
  }

  function begin(req: IncomingMessage, upgrade: boolean): Exchange {
    if (req.url!.charCodeAt(0) !== 47 /* / */) toOriginForm(req);
    const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    const connection = req.headers.connection;
    const ex: Exchange = {
      startedAt: performance.now(),
      method: normalizeMethod(req.method),
      requestId,
      route: routes.template(req.url ?? '/'),
      routeLabel: undefined,
      clientWantsClose: connection !== undefined && /\bclose\b/i.test(connection),
      proxyReq: undefined,
      proxyRes: undefined,
      backendStatus: undefined,
      failure: undefined,
      upstreamBroke: false,
      stream: undefined,
      requestBytes: 0,
      responseBytes: 0,
      timer: undefined,
      clientStalled: false,
      closed: false,
      observerState: undefined,
    };
    attachExchange(req, ex);
    req.headers[REQUEST_ID_HEADER] = requestId;
    applyForwardedHeaders(req, config.proxy.trustProxy);
    removeHopByHop(req.headers, upgrade);
    // The sidecar already answered `100 Continue` to the client; the backend gets the body at once.
    delete req.headers.expect;
    for (const o of observers) if (o.forwarding) guard('forwarding', () => o.forwarding!(req, ex));
    inFlight++;
    return ex;
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const refused = refusal(req);
    if (refused) {
      metrics.requestRejected(refused.status, refused.errorType);
      return sendRejection(res, refused);
    }
    const ex = begin(req, false);
    metrics.requestStarted(ex.method);
    res.once('close', () => finish(req, res, ex));
    ex.timer = setTimeout(() => {
      if (ex.backendStatus !== undefined || ex.closed) return;
      const f = failure('timeout');
      if (ex.proxyReq) {
        failUpstream(ex, f);
        ex.proxyReq.destroy(timeoutError(TIMEOUT_CODE, upstream.timeoutMs));
      } else {
        failUpstream(ex, f);
        sendFailure(res, f, ex.requestId, true);
      }
    }, upstream.timeoutMs);
    webProxy(req, res).catch((error: unknown) => logger.error({ err: error }, 'proxy middleware failed'));
  }

  function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const refused = refusal(req);
    if (refused) {
      metrics.requestRejected(refused.status, refused.errorType);
      return void socket.end(rawRejection(refused));
    }
    const ex = begin(req, true);
    ex.stream = 'websocket';
    metrics.requestStarted(ex.method);
    metrics.streamStarted(ex.method, 'websocket');
    socket.once('close', () => {
      ex.closed = true;
      const durationSeconds = (performance.now() - ex.startedAt) / 1000;
      ex.routeLabel ??= routes.label(ex.route, ex.backendStatus);
      const route = ex.routeLabel;
      const errorType = ex.failure?.errorType ?? (ex.backendStatus === undefined ? 'client_abort' : '');
      metrics.streamFinished(route, 'websocket', errorType, durationSeconds);
      const status = ex.failure?.status ?? ex.backendStatus ?? CLIENT_ABORT_STATUS;
      const outcome: ExchangeOutcome = { route, status, errorType, durationSeconds };
      for (const o of observers) if (o.finished) guard('finished', () => o.finished!(req, ex, outcome));
      settle();
    });
    if (draining) {
      writeSocketFailure(
        socket,
        { ...failure('upstream_unreachable'), status: 502, message: 'The sidecar is shutting down.' },
        ex.requestId,
      );
      return;
    }
    wsProxy.upgrade(req, socket, head);
  }

  const server = http.createServer(
    {
      // Slow clients must not hold sockets forever; long responses are not affected.
      headersTimeout: config.proxy.clientHeaderTimeoutMs,
      // Node checks its timeouts every 30 s by default; a quarter of the limit keeps it close to its word.
      connectionsCheckingInterval: Math.min(30_000, Math.ceil(config.proxy.clientHeaderTimeoutMs / 4)),
      requestTimeout: 0,
      keepAliveTimeout: 65_000,
      // Refuses headers over 16 KiB with 431, like nginx's large_client_header_buffers default.
      maxHeaderSize: 16_384,
      // Checked in refusal(), so that the answer is counted and has a JSON body like every other.
      requireHostHeader: false,
      // Only WebSocket upgrades leave the request path. Any other Upgrade offer (h2c, which
      // `curl --http2` makes) is a plain HTTP/1.1 request that may ignore it (RFC 9110 §7.8);
      // handed to the WebSocket proxy, it would be dropped without an answer.
      shouldUpgradeCallback: (req) => req.headers.upgrade?.toLowerCase() === 'websocket',
    },
    handleRequest,
  );
  server.on('upgrade', handleUpgrade);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // The client closed its side in the middle of a message (or reset): it is gone, not wrong.
    if (!socket.writable || error.code === 'HPE_INVALID_EOF_STATE' || error.code === 'ECONNRESET') {
      return socket.destroy();
    }
    const r = rejectionOfParserError(error, config.proxy.maxUrlBytes);
    // A response in flight on this connection (Node's own handler looks here too) must never get
    // a second one written into it.
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (current) {
      if (current.req.complete) {
        // The error is in a later pipelined request: close once the response in flight is done.
        current.once('finish', () => socket.end());
      } else if (!current.headersSent) {
        // The error is in the body of the request being forwarded: that request gets the 400,
        // recorded with it in the request histogram, and finish() abandons its backend request.
        sendRejection(current, r, exchangeOf(current.req)?.requestId);
      } else {
        socket.destroy();
      }
      return;
    }
    metrics.requestRejected(r.status, r.errorType);
    socket.end(rawRejection(r));
  });
  // CONNECT asks for a tunnel; Node would drop the connection without a word.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    const r = rejection('method_not_allowed');
    metrics.requestRejected(r.status, r.errorType);
    socket.end(rawRejection(r));
  });

  return {
    server,
    agent,
    inFlight: () => inFlight,
    drain(timeoutMs) {
      draining = true;
      return new Promise((resolve) => {
        let graceOver = false;
        const timer = setTimeout(() => {
          server.closeAllConnections();
          resolve(false);
        }, timeoutMs);
        drained = () => {
          if (!graceOver) return;
          clearTimeout(timer);
          resolve(true);
        };
        const closeIdle = () => {
          graceOver = true;
          // http.Server#close closes the connections idle by now (and ends Node's header-timeout checks).
          server.close();
          if (inFlight === 0) drained?.();
        };
        // net.Server#close only stops accepting: http.Server#close would also close idle
        // connections at once, racing requests already sent on them.
        net.Server.prototype.close.call(server);
        server.getConnections((error, count) => {
          if (error || count === 0) return closeIdle();
          // setImmediate: after the timer, one poll phase reads what arrived while the loop was busy.
          setTimeout(() => setImmediate(closeIdle), Math.min(DRAIN_IDLE_GRACE_MS, timeoutMs));
        });
      });
    },
  };
}
