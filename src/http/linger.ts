import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * After an early answer (a 413 while the body is still arriving, a 414 or 431 for a request
 * with a body behind its head), the rest of what the client sends is read and thrown away
 * before the connection closes, as nginx's lingering close does. Closing with unread data makes
 * the kernel reset the connection, and most clients (Node's fetch, Python's urllib and
 * requests) then report a broken pipe instead of the answer: they send the whole body before
 * they read. Bounded in bytes and time, so a client cannot keep the sidecar reading forever.
 */
export const LINGER = Object.freeze({
  /** Most bytes read and discarded after the answer. */
  maxBytes: 64 * 1024 * 1024,
  /** Longest time spent reading them. */
  timeoutMs: 10_000,
});

function discard(source: NodeJS.ReadableStream, socket: Socket, onDone: () => void): void {
  let read = 0;
  const stop = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(stop, LINGER.timeoutMs);
  timer.unref();
  source.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER.maxBytes) stop();
  });
  source.once('end', () => {
    clearTimeout(timer);
    onDone();
  });
  socket.once('close', () => clearTimeout(timer));
  source.resume();
}

/**
 * The rest of a request body that an answer did not wait for, read and discarded. A connection
 * kept alive stays usable (its framing is intact); one that closes is closed after it.
 */
export function drainRequestBody(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  const socket = req.socket as Socket & { destroySoon?: () => void };
  // When the connection is not kept alive (the client asked `Connection: close`, as Python's
  // urllib does), Node destroys it as soon as the answer is written, unread bytes and all: it
  // is only ended then, and destroyed once the rest of the body is read or the bounds are hit.
  socket.destroySoon = () => socket.end();
  discard(req, socket, () => {});
}

/**
 * A connection whose framing is lost (the parser refused the head): the answer is written,
 * the sending side closed, and what still arrives is read until the client closes its side.
 */
export function lingeringClose(socket: Socket, answer: string): void {
  // The HTTP parser that refused the head would refuse every later byte too.
  socket.removeAllListeners('data');
  socket.end(answer);
  discard(socket, socket, () => socket.destroy());
}
