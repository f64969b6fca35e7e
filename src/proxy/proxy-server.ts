import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createProxyMiddleware, type Options, proxyEventsPlugin } from 'http-proxy-middleware';
import type { Config } from '../config/config.js';
import type { HttpMetrics } from '../http-metrics/http-metrics.js';
import type { Logger } from '../log/logger.js';
import type { ProxyContext } from './context.js';
import { clearDeadline, startConnectDeadline, startResponseDeadline } from './deadlines.js';
import { PortTraffic } from './drain.js';
import { createExchange, type Exchange, exchangeOf, failExchange, labelRoute } from './exchange.js';
import { applyForwardedHeaders, removeHopByHop, responseHeadOf } from './forwarded-headers.js';
import { type ExchangeObserver, ObserverHooks } from './observers.js';
import { outcomeOf, upgradeAnswerOf } from './outcome.js';
import {
  type Rejection,
  rawRejection,
  rejection,
  rejectionOfParserError,
  sendRejection,
} from './rejections.js';
import { relayResponse } from './relay.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { toOriginForm } from './request-target.js';
import type { RouteResolver } from './route-resolver.js';
import { answerFailure, answerUpgradeFailure, classifyUpstreamError, failure } from './upstream-errors.js';

export type { Exchange } from './exchange.js';
export type { ExchangeObserver } from './observers.js';
export type { ExchangeOutcome } from './outcome.js';
export type { RouteResolver, RouteTemplate } from './route-resolver.js';

export interface ProxyDeps {
  config: Config;
  metrics: HttpMetrics;
  routes: RouteResolver;
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

const SSE = 'text/event-stream';
/**
 * The proxy port. A plain node:http server hands each request to http-proxy-middleware: the
 * proxy port has no routes of its own, so Express's router would only add work per request.
 */
export function createProxyPort(deps: ProxyDeps): ProxyPort {
  const { config, metrics, routes, logger } = deps;
  const observers = new ObserverHooks(deps.observers ?? [], logger);
  const traffic = new PortTraffic();
  const ctx: ProxyContext = { config, metrics, routes, logger, observers, traffic };
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
  function finish(req: IncomingMessage, res: ServerResponse, ex: Exchange): void {
    ex.closed = true;
    clearDeadline(ex);
    // Answered before its body was all read (a refusal, a timeout): the backend request is
    // abandoned rather than left waiting for the rest of a body that will never come.
    if (!req.complete && ex.backendStatus === undefined) ex.proxyReq?.destroy();
    const outcome = outcomeOf(ex, res, labelRoute(ex, routes), (performance.now() - ex.startedAt) / 1000);
    const { route, status, errorType, durationSeconds } = outcome;
    // A broken body noticed only now is an upstream failure not counted yet.
    if (errorType === 'upstream_reset' && !ex.failure) metrics.upstreamFailed(errorType);
    if (ex.stream) {
      metrics.streamFinished(route, ex.stream, errorType, durationSeconds);
    } else {
      metrics.requestFinished({
        method: ex.method,
        route,
        status,
        errorType,
        durationSeconds,
        requestBytes: ex.requestBytes,
        responseBytes: ex.responseBytes,
        exemplar: observers.exemplar(ex),
      });
    }
    observers.finished(req, ex, outcome);
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
    traffic.leave();
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
      startConnectDeadline(proxyReq, upstream.connectTimeoutMs);
    },
    proxyRes(proxyRes, req, res) {
      const ex = exchangeOf(req);
      if (!ex) return;
      clearDeadline(ex);
      ex.proxyRes = proxyRes;
      ex.backendStatus = proxyRes.statusCode;
      const route = labelRoute(ex, routes);
      metrics.upstreamHeadersReceived(ex.method, route, (performance.now() - ex.startedAt) / 1000);
      // The client was already answered (a timeout): this response has nowhere to go.
      if (res.headersSent) return void proxyRes.resume();
      const head = responseHeadOf(proxyRes.rawHeaders);
      const headers = head.headers;
      if (traffic.draining || ex.clientWantsClose) headers.push('connection', 'close');
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
      observers.upstreamResponse(req, ex, proxyRes);
      try {
        relayResponse(ctx, res, ex, proxyRes, headers);
      } catch (error) {
        // Whatever Node refused in this response, the client gets an answer and the process goes on.
        logger.warn({ err: error, request_id: ex.requestId }, 'backend response could not be relayed');
        proxyRes.destroy();
        const f = failure('upstream_protocol_error');
        failExchange(ex, f, metrics);
        if (res.headersSent) res.destroy();
        else answerFailure(res, f, ex.requestId, true);
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
          failExchange(ex, failure('upstream_reset'), metrics);
          res.destroy();
          return;
        }
        failExchange(ex, f, metrics);
        if (!res.headersSent) answerFailure(res, f, ex.requestId, traffic.draining || ex.clientWantsClose);
        else res.destroy();
      } else if (res) {
        // The client left before the backend answered: the error is the abandoned upgrade's.
        if ((res as Socket).destroyed && ex.backendStatus === undefined) return;
        failExchange(ex, f, metrics);
        if (ex.backendStatus === undefined) answerUpgradeFailure(res as Socket, f, ex.requestId);
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
    const ex = createExchange(req, routes, upgrade ? 'websocket' : undefined);
    req.headers[REQUEST_ID_HEADER] = ex.requestId;
    applyForwardedHeaders(req, config.proxy.trustProxy);
    removeHopByHop(req.headers, upgrade);
    // The sidecar already answered `100 Continue` to the client; the backend gets the body at once.
    delete req.headers.expect;
    observers.forwarding(req, ex);
    traffic.enter();
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
    startResponseDeadline(ctx, res, ex);
    webProxy(req, res).catch((error: unknown) => logger.error({ err: error }, 'proxy middleware failed'));
  }

  function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const refused = refusal(req);
    if (refused) {
      metrics.requestRejected(refused.status, refused.errorType);
      return void socket.end(rawRejection(refused));
    }
    const ex = begin(req, true);
    metrics.requestStarted(ex.method);
    metrics.streamStarted(ex.method, 'websocket');
    // A client that leaves while the backend has not answered yet only half-closes the socket
    // (the server allows half-open connections), which nothing would notice before
    // UPSTREAM_TIMEOUT_MS. After the answer the conversation's own relay handles its end.
    socket.once('end', () => {
      if (ex.backendStatus === undefined) socket.destroy();
    });
    socket.once('close', () => {
      ex.closed = true;
      const durationSeconds = (performance.now() - ex.startedAt) / 1000;
      const outcome = outcomeOf(ex, upgradeAnswerOf(ex), labelRoute(ex, routes), durationSeconds);
      metrics.streamFinished(outcome.route, 'websocket', outcome.errorType, durationSeconds);
      observers.finished(req, ex, outcome);
      traffic.leave();
    });
    if (traffic.draining) {
      answerUpgradeFailure(
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
    inFlight: () => traffic.inFlight,
    drain: (timeoutMs) => traffic.drain(server, timeoutMs),
  };
}
