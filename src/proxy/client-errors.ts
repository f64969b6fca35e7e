import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { lingeringClose } from '../http/linger.js';
import type { ProxyContext } from './context.js';
import { exchangeOf } from './exchange.js';
import { rawRejection, rejection, rejectionOfParserError, sendRejection } from './rejections.js';

/**
 * What Node's HTTP parser could not take (the server's `clientError`): answered with the
 * rejection catalog's JSON, counted, and never written into a response already under way.
 */
export function clientErrorHandler(
  ctx: ProxyContext,
): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    // The client closed its side in the middle of a message (or reset): it is gone, not wrong.
    if (!socket.writable || error.code === 'HPE_INVALID_EOF_STATE' || error.code === 'ECONNRESET') {
      return void socket.destroy();
    }
    const r = rejectionOfParserError(error, ctx.config.proxy.maxUrlBytes);
    // A response in flight on this connection (Node's own handler looks here too) must never get
    // a second one written into it.
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (current) {
      if (current.req.complete) {
        // The error is in a later pipelined request: close once the response in flight is done.
        current.once('finish', () => socket.end());
      } else if (!current.headersSent) {
        // The error is in the body of the request being forwarded: that request gets the 400,
        // recorded with it in the request histogram, and finish.ts abandons its backend request.
        sendRejection(current, r, exchangeOf(current.req)?.requestId);
      } else {
        socket.destroy();
      }
      return;
    }
    ctx.metrics.requestRejected(r.status, r.errorType);
    lingeringClose(socket, rawRejection(r));
  };
}

/** CONNECT asks for a tunnel; Node would drop the connection without a word. */
export function connectHandler(ctx: ProxyContext): (req: IncomingMessage, socket: Socket) => void {
  return (_req, socket) => {
    const r = rejection('method_not_allowed');
    ctx.metrics.requestRejected(r.status, r.errorType);
    socket.end(rawRejection(r));
  };
}
