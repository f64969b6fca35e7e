import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'http-proxy-middleware';
import { beginExchange } from './begin.js';
import type { ProxyContext } from './context.js';
import { startResponseDeadline } from './deadlines.js';
import { finishRequest } from './finish.js';
import { refusalOf, sendRejection } from './rejections.js';

/**
 * Every HTTP request of the proxy port: refused, or begun as an exchange, given its deadline
 * and handed to http-proxy-middleware, whose events (upstream-events.ts) take it from there.
 * The exchange ends when its response closes, however that happens.
 */
export function requestHandler(
  ctx: ProxyContext,
  webProxy: RequestHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  // Made once: an arrow function in the call below would be one more closure per request.
  const middlewareFailed = (error: unknown) => ctx.logger.error({ err: error }, 'proxy middleware failed');
  return (req, res) => {
    const refused = refusalOf(req, ctx.config.proxy.maxUrlBytes, ctx.via);
    if (refused) {
      ctx.metrics.requestRejected(refused.status, refused.errorType);
      return sendRejection(res, refused, undefined, refused.errorType !== 'bad_request');
    }
    const ex = beginExchange(ctx, req, false);
    ctx.metrics.requestStarted(ex.method, ex.route);
    res.once('close', () => finishRequest(ctx, req, res, ex));
    startResponseDeadline(ctx, res, ex);
    webProxy(req, res).catch(middlewareFailed);
  };
}
