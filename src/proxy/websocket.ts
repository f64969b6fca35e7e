import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler } from 'http-proxy-middleware';
import { beginExchange } from './begin.js';
import type { ProxyContext } from './context.js';
import { type Exchange, exchangeOf, failExchange } from './exchange.js';
import { finishUpgrade } from './finish.js';
import { rawRejection, refusalOf } from './rejections.js';
import { answerUpgradeFailure, failure, type UpstreamFailure } from './upstream-errors.js';

/**
 * WebSocket upgrades: refused, forwarded with http-proxy-middleware's WebSocket proxy (which
 * relays the backend's answer and then the conversation), and recorded as a stream when the
 * client's socket closes. An upgraded socket leaves the pool for good, so upgrades get their own
 * backend connections.
 */
export function upgradeHandler(
  ctx: ProxyContext,
  wsProxy: RequestHandler,
): (req: IncomingMessage, socket: Socket, head: Buffer) => void {
  return (req, socket, head) => {
    const refused = refusalOf(req, ctx.config.proxy.maxUrlBytes, ctx.via);
    if (refused) {
      ctx.metrics.requestRejected(refused.status, refused.errorType);
      return void socket.end(rawRejection(refused));
    }
    const ex = beginExchange(ctx, req, true);
    ctx.metrics.requestStarted(ex.method, ex.route);
    ctx.metrics.streamStarted(ex.method, 'websocket');
    // A client that leaves while the backend has not answered yet only half-closes the socket
    // (the server allows half-open connections), which nothing would notice before
    // UPSTREAM_TIMEOUT_MS. After the answer the conversation's own relay handles its end.
    socket.once('end', () => {
      if (ex.backendStatus === undefined) socket.destroy();
    });
    socket.once('close', () => finishUpgrade(ctx, req, ex));
    if (ctx.traffic.draining) {
      const shuttingDown = { ...failure('upstream_unreachable'), message: 'The sidecar is shutting down.' };
      return answerUpgradeFailure(socket, shuttingDown, ex.requestId);
    }
    wsProxy.upgrade(req, socket, head);
  };
}

/** http-proxy-middleware made the upgrade request to the backend: its answer is the exchange's status. */
export function upgradeRequestMade(proxyReq: ClientRequest, req: IncomingMessage): void {
  const ex = exchangeOf(req);
  if (!ex) return;
  ex.proxyReq = proxyReq;
  proxyReq.once('upgrade', (proxyRes: IncomingMessage) => {
    ex.backendStatus = proxyRes.statusCode ?? 101;
  });
  proxyReq.once('response', (proxyRes: IncomingMessage) => {
    ex.backendStatus = proxyRes.statusCode;
  });
}

/**
 * An upstream error on a WebSocket exchange: answered if the backend had not answered yet.
 * False when it is not the backend's failure: the client had left first, and the error is the
 * abandoned upgrade's.
 */
export function upgradeFailed(ctx: ProxyContext, socket: Socket, ex: Exchange, f: UpstreamFailure): boolean {
  if (socket.destroyed && ex.backendStatus === undefined) return false;
  failExchange(ex, f, ctx.metrics);
  if (ex.backendStatus === undefined) answerUpgradeFailure(socket, f, ex.requestId);
  return true;
}
