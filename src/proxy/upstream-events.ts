import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { OnProxyEvent } from 'http-proxy-middleware';
import type { ProxyContext } from './context.js';
import { clearDeadline, startConnectDeadline } from './deadlines.js';
import { exchangeOf, failExchange, labelRoute } from './exchange.js';
import { responseHeadOf } from './forwarded-headers.js';
import { relayResponse } from './relay.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { hasRequestBody, mayResend } from './resend.js';
import { answerFailure, classifyUpstreamError, failure } from './upstream-errors.js';
import { upgradeFailed } from './websocket.js';

const SSE = 'text/event-stream';

/**
 * The handlers of http-proxy-middleware's events on the backend's side: an HTTP request to the
 * backend made, its response headers in, and the errors of both HTTP and WebSocket exchanges
 * (websocket.ts answers the latter).
 */
export function upstreamEvents(ctx: ProxyContext): OnProxyEvent {
  return {
    proxyReq: (proxyReq, req) => requestMade(ctx, proxyReq, req),
    proxyRes: (proxyRes, req, res) => responseArrived(ctx, proxyRes, req, res),
    error: (error, req, res) => upstreamError(ctx, error as NodeJS.ErrnoException, req, res),
  };
}

function requestMade(ctx: ProxyContext, proxyReq: ClientRequest, req: IncomingMessage): void {
  const ex = exchangeOf(req);
  if (!ex) return;
  // The client was answered while this request waited for a pooled connection: it is not sent.
  if (ex.closed) return void proxyReq.destroy();
  ex.proxyReq = proxyReq;
  // Most requests have no body; a data listener on those would only cost a resume per request.
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (hasRequestBody(req)) {
    req.on('data', (chunk: Buffer) => {
      ex.requestBytes += chunk.length;
    });
  }
  // httpxy sends a request with a Transfer-Encoding with `Connection: close`, and RFC 9112
  // §9.6 forbids another request on that connection; Node's agent would reuse it all the same
  // if the backend kept it open.
  if (chunked) proxyReq.shouldKeepAlive = false;
  startConnectDeadline(proxyReq, ctx.config.upstream.connectTimeoutMs);
}

function responseArrived(
  ctx: ProxyContext,
  proxyRes: IncomingMessage,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const ex = exchangeOf(req);
  if (!ex) return;
  clearDeadline(ex);
  ex.proxyRes = proxyRes;
  ex.backendStatus = proxyRes.statusCode;
  const route = labelRoute(ex, ctx.routes);
  ctx.metrics.upstreamHeadersReceived(ex.method, route, (performance.now() - ex.startedAt) / 1000);
  // The client was already answered (a timeout): this response has nowhere to go.
  if (res.headersSent) return void proxyRes.resume();
  const head = responseHeadOf(proxyRes.rawHeaders);
  const headers = head.headers;
  if (ctx.traffic.draining || ex.clientWantsClose) headers.push('connection', 'close');
  // The backend's own id, if it sent one, wins, as it would through any proxy.
  if (!head.requestId) headers.push(REQUEST_ID_HEADER, ex.requestId);
  if (head.contentType?.startsWith(SSE)) {
    ex.stream = 'sse';
    ctx.metrics.streamStarted(ex.method, 'sse');
    // nginx honours this header and stops buffering the stream, whatever its own config says.
    if (!head.accelBuffering) headers.push('x-accel-buffering', 'no');
  }
  proxyRes.once('close', () => {
    if (!proxyRes.complete && !ex.closed) ex.upstreamBroke = true;
  });
  ctx.observers.upstreamResponse(req, ex, proxyRes);
  try {
    relayResponse(ctx, res, ex, proxyRes, headers);
  } catch (error) {
    // Whatever Node refused in this response, the client gets an answer and the process goes on.
    ctx.logger.warn({ err: error, request_id: ex.requestId }, 'backend response could not be relayed');
    proxyRes.destroy();
    const f = failure('upstream_protocol_error');
    failExchange(ex, f, ctx.metrics);
    answerFailure(res, f, ex.requestId, true);
  }
}

function upstreamError(
  ctx: ProxyContext,
  error: NodeJS.ErrnoException,
  req: IncomingMessage,
  res: ServerResponse | Socket | undefined,
): void {
  const ex = exchangeOf(req);
  if (!ex || ex.closed) return;
  const f = ex.failure ?? classifyUpstreamError(error);
  if (res !== undefined && 'writeHead' in res) {
    if (ex.backendStatus !== undefined) {
      // The body broke off after the headers: abort so the client cannot mistake it for complete.
      ex.upstreamBroke = true;
      failExchange(ex, failure('upstream_reset'), ctx.metrics);
      res.destroy();
      return;
    }
    if (!ex.failure && mayResend(ex, req, error)) {
      ex.resent = true;
      ctx.metrics.upstreamResent();
      ctx.logger.debug(
        { request_id: ex.requestId, code: error.code },
        'pooled connection closed by the backend; sent again',
      );
      return void ctx.resend(req, res);
    }
    failExchange(ex, f, ctx.metrics);
    answerFailure(res, f, ex.requestId, ctx.traffic.draining || ex.clientWantsClose);
  } else if (res !== undefined && !upgradeFailed(ctx, res, ex, f)) {
    return;
  }
  ctx.logger.warn(
    { request_id: ex.requestId, error_type: f.errorType, code: error.code, route: ex.route.template },
    f.message,
  );
}
