import type { ClientRequest, ServerResponse } from 'node:http';
import type { ProxyContext } from './context.js';
import { type Exchange, failExchange } from './exchange.js';
import {
  answerFailure,
  CONNECT_TIMEOUT_CODE,
  failure,
  TIMEOUT_CODE,
  timeoutError,
} from './upstream-errors.js';

/**
 * The proxy port's three timers. The exchange's one timer field holds the first deadline, then
 * the second: the backend's response headers must arrive within UPSTREAM_TIMEOUT_MS, and once
 * they are in, a client the response waits on must read within CLIENT_SEND_TIMEOUT_MS. The
 * connect deadline belongs to the backend request and is set only when it needs a new connection.
 */

/** UPSTREAM_TIMEOUT_MS, from the request's arrival to the backend's response headers. */
export function startResponseDeadline(ctx: ProxyContext, res: ServerResponse, ex: Exchange): void {
  const ms = ctx.config.upstream.timeoutMs;
  ex.timer = setTimeout(() => {
    if (ex.backendStatus !== undefined || ex.closed) return;
    const f = failure('timeout');
    failExchange(ex, f, ctx.metrics);
    // Without a backend request to abort with the error (none made yet), the sidecar answers itself.
    if (ex.proxyReq) ex.proxyReq.destroy(timeoutError(TIMEOUT_CODE, ms));
    else answerFailure(res, f, ex.requestId, true);
  }, ms);
}

/** UPSTREAM_CONNECT_TIMEOUT_MS, for a backend request that opens a new connection. */
export function startConnectDeadline(proxyReq: ClientRequest, ms: number): void {
  const socket = proxyReq.socket;
  if (!socket?.connecting) return;
  const connectTimer = setTimeout(() => proxyReq.destroy(timeoutError(CONNECT_TIMEOUT_CODE, ms)), ms);
  socket.once('connect', () => clearTimeout(connectTimer));
  proxyReq.once('close', () => clearTimeout(connectTimer));
}

/**
 * CLIENT_SEND_TIMEOUT_MS: the client's socket is full and the backend's response waits until it
 * drains. A client that stops reading would otherwise hold this backend connection forever.
 * Replaces a deadline already running.
 */
export function startSendDeadline(ctx: ProxyContext, res: ServerResponse, ex: Exchange): void {
  clearDeadline(ex);
  const ms = ctx.config.proxy.clientSendTimeoutMs;
  ex.timer = setTimeout(() => {
    ex.clientStalled = true;
    ctx.logger.warn(
      { request_id: ex.requestId, route: ex.routeLabel, timeout_ms: ms },
      'client read nothing of the response in time (CLIENT_SEND_TIMEOUT_MS); connection closed',
    );
    res.destroy();
  }, ms);
}

export function clearDeadline(ex: Exchange): void {
  if (ex.timer) clearTimeout(ex.timer);
}
