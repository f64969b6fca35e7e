import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { ProxyContext } from './context.js';
import { clearDeadline, startSendDeadline } from './deadlines.js';
import type { Exchange } from './exchange.js';

/** What Node's `writeHead` accepts in a reason phrase (the check it applies to header values). */
const WRITABLE_REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Writes the backend's response to the client (`selfHandleResponse`): status and headers in one
 * `writeHead` of name/value pairs, then the body chunk by chunk with backpressure, counting its
 * bytes on the way. http-proxy-middleware's own path would copy each header with a `setHeader`
 * call and pipe the body, with a second data listener for the count; this is the same result
 * for less work per response. httpxy still destroys each side when the other closes early.
 * Throws what Node refuses to write even after the fallback for bad headers.
 */
export function relayResponse(
  ctx: ProxyContext,
  res: ServerResponse,
  ex: Exchange,
  proxyRes: IncomingMessage,
  headers: string[],
): void {
  if (proxyRes.statusMessage) res.statusMessage = proxyRes.statusMessage;
  try {
    res.writeHead(proxyRes.statusCode!, headers);
  } catch {
    writeValidHead(ctx, res, ex, proxyRes.statusCode!, headers);
  }
  // A stream's headers go at once: a client waits for them to open an EventSource, and a
  // backend may take long before its first event.
  if (ex.stream === 'sse') res.flushHeaders();
  proxyRes.on('data', (chunk: Buffer) => {
    ex.responseBytes += chunk.length;
    if (!res.write(chunk)) holdBack(ctx, res, ex, proxyRes);
  });
  proxyRes.once('end', () => res.end());
}

/**
 * Something Node refuses to write, although its parser let it in (a control character in the
 * reason phrase or a header): the standard reason and the other headers still go.
 */
function writeValidHead(
  ctx: ProxyContext,
  res: ServerResponse,
  ex: Exchange,
  status: number,
  headers: string[],
): void {
  if (!WRITABLE_REASON.test(res.statusMessage)) res.statusMessage = http.STATUS_CODES[status] ?? '';
  const valid: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    try {
      http.validateHeaderName(headers[i]!);
      http.validateHeaderValue(headers[i]!, headers[i + 1]!);
      valid.push(headers[i]!, headers[i + 1]!);
    } catch {
      ctx.logger.debug(
        { request_id: ex.requestId, header: headers[i] },
        'backend response header dropped: invalid',
      );
    }
  }
  res.writeHead(status, valid);
}

/**
 * The client's socket is full: the backend's response waits until it drains, for at most
 * CLIENT_SEND_TIMEOUT_MS. Built only on backpressure, not for every response.
 */
function holdBack(ctx: ProxyContext, res: ServerResponse, ex: Exchange, proxyRes: IncomingMessage): void {
  proxyRes.pause();
  res.once('drain', () => {
    clearDeadline(ex);
    proxyRes.resume();
  });
  startSendDeadline(ctx, res, ex);
}
