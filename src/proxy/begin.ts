import type { IncomingMessage } from 'node:http';
import type { ProxyContext } from './context.js';
import { createExchange, type Exchange } from './exchange.js';
import { applyForwardedHeaders, removeHopByHop } from './forwarded-headers.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { toOriginForm } from './request-target.js';

/**
 * The start of every forwarded exchange, HTTP or WebSocket: the exchange made and counted in
 * flight, and the request's head made ready for the backend.
 */
export function beginExchange(ctx: ProxyContext, req: IncomingMessage, upgrade: boolean): Exchange {
  if (req.url!.charCodeAt(0) !== 47 /* / */) toOriginForm(req);
  const ex = createExchange(req, ctx.routes, upgrade ? 'websocket' : undefined);
  req.headers[REQUEST_ID_HEADER] = ex.requestId;
  applyForwardedHeaders(req, ctx.config.proxy.trustProxy);
  removeHopByHop(req.headers, upgrade);
  ctx.via.add(req.headers);
  // The sidecar already answered `100 Continue` to the client; the backend gets the body at once.
  delete req.headers.expect;
  ctx.observers.forwarding(req, ex);
  ctx.traffic.enter();
  return ex;
}
