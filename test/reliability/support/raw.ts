import net from 'node:net';

/** Raw TCP clients and servers: for what a well-behaved HTTP library would never send or answer. */

export interface RawExchange {
  /** Everything the server sent back, as latin1 text. */
  readonly text: string;
  /** How the connection ended: the server closed it, reset it, or was still open at the deadline. */
  readonly ended: 'closed' | 'reset' | 'open';
}

/**
 * Writes `payload` (all at once, or piece by piece with `gapMs` between pieces) and collects the
 * answer until the server closes, or `waitMs` after the last byte was written.
 */
export function rawRequest(
  port: number,
  payload: string | Buffer | Array<string | Buffer>,
  options: { waitMs?: number; gapMs?: number; halfClose?: boolean; localAddress?: string } = {},
): Promise<RawExchange> {
  const pieces = Array.isArray(payload) ? payload : [payload];
  const waitMs = options.waitMs ?? 1_000;
  return new Promise((resolve) => {
    const host = options.localAddress ?? '127.0.0.1';
    const socket = net.connect({
      port,
      host,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    const chunks: Buffer[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (ended: RawExchange['ended']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), ended });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ECONNRESET' ? 'reset' : 'closed'),
    );
    socket.once('connect', async () => {
      for (const [i, piece] of pieces.entries()) {
        if (settled || socket.destroyed) return;
        socket.write(piece);
        if (options.gapMs && i < pieces.length - 1) await new Promise((r) => setTimeout(r, options.gapMs));
      }
      if (options.halfClose) socket.end();
      timer = setTimeout(() => finish('open'), waitMs);
    });
  });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The responses in a raw answer, in order, framed by Content-Length (or by the end of the text
 * when there is none). Throws on bytes that are not a response where one should start.
 */
export function responsesIn(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf('\r\n\r\n', at);
    const head = /^HTTP\/1\.[01] (\d{3}) [^\r\n]*/.exec(text.slice(at, at + 64));
    if (!head || end === -1)
      throw new Error(`not a response at ${at}: ${JSON.stringify(text.slice(at, at + 60))}`);
    const headers: Record<string, string> = {};
    for (const line of text.slice(at, end).split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length =
      headers['content-length'] === undefined ? text.length - end - 4 : Number(headers['content-length']);
    responses.push({ status: Number(head[1]), headers, body: text.slice(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
  return responses;
}

/** Status codes of every response in a raw answer, in order. */
export function statusesIn(text: string): number[] {
  return responsesIn(text).map((r) => r.status);
}

/**
 * A TCP server whose connection handler is the test's own; it remembers its sockets so that it
 * can close them all.
 */
export interface RawServer {
  readonly port: number;
  readonly url: string;
  readonly sockets: Set<net.Socket>;
  /** Connections accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export async function rawServer(onConnection: (socket: net.Socket) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    sockets,
    accepted: () => accepted,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One request as a backend received it. */
export interface ParsedRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** Header fields as received, lower-cased names. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

export class Incomplete extends Error {}

/**
 * Parses the request starting at `at`, strictly: CRLF line ends only, no folding, no stray CR,
 * LF or NUL, exactly one framing (Content-Length, or Transfer-Encoding ending in chunked, or no
 * body), no trailers. A stream that does not parse this way is one two HTTP implementations could
 * read differently. Throws Incomplete when more bytes are needed, Error when the bytes are invalid.
 */
export function parseRequestAt(bytes: Buffer, at: number): { request: ParsedRequest; next: number } {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n', at);
  if (end === -1) {
    if (/\n(?<!\r\n)|\r(?!\n|$)/.test(text.slice(at))) throw new Error('bare CR or LF in the head');
    throw new Incomplete('head');
  }
  const lines = text.slice(at, end).split('\r\n');
  const start = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0]!);
  if (!start) throw new Error(`bad request line ${JSON.stringify(lines[0])}`);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    if (/[\r\n\0]/.test(line)) throw new Error(`stray CR, LF or NUL in ${JSON.stringify(line)}`);
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!m) throw new Error(`bad header line ${JSON.stringify(line)}`);
    headers.push([m[1]!.toLowerCase(), m[2]!]);
  }
  const values = (name: string) => headers.filter(([n]) => n === name).map(([, v]) => v);
  const lengths = values('content-length');
  const codings = values('transfer-encoding');
  if (lengths.length > 0 && codings.length > 0) throw new Error('both Content-Length and Transfer-Encoding');
  if (lengths.length > 1) throw new Error('more than one Content-Length');
  if (values('host').length !== 1) throw new Error(`${values('host').length} Host fields`);
  let next = end + 4;
  let body: Buffer = Buffer.alloc(0);
  if (codings.length > 0) {
    const list = codings
      .join(',')
      .split(',')
      .map((c) => c.trim().toLowerCase());
    if (list[list.length - 1] !== 'chunked')
      throw new Error(`Transfer-Encoding ${codings} does not end in chunked`);
    if (list.slice(0, -1).includes('chunked')) throw new Error('chunked applied twice');
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = text.indexOf('\r\n', next);
      if (lineEnd === -1) throw new Incomplete('chunk size');
      const sizeLine = text.slice(next, lineEnd);
      const size = /^([0-9a-fA-F]{1,8})(?:;[^\r\n]*)?$/.exec(sizeLine);
      if (!size) throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)}`);
      const n = Number.parseInt(size[1]!, 16);
      next = lineEnd + 2;
      if (n === 0) {
        if (bytes.length < next + 2) throw new Incomplete('last chunk');
        if (text.slice(next, next + 2) !== '\r\n')
          throw new Error(`trailers: ${JSON.stringify(text.slice(next, next + 60))}`);
        next += 2;
        break;
      }
      if (bytes.length < next + n + 2) throw new Incomplete('chunk');
      parts.push(bytes.subarray(next, next + n));
      if (text.slice(next + n, next + n + 2) !== '\r\n') throw new Error('chunk data not followed by CRLF');
      next += n + 2;
    }
    body = Buffer.concat(parts);
  } else if (lengths.length === 1) {
    if (!/^\d+$/.test(lengths[0]!)) throw new Error(`bad Content-Length ${lengths[0]}`);
    const n = Number(lengths[0]);
    if (bytes.length < next + n) throw new Incomplete('body');
    body = bytes.subarray(next, next + n);
    next += n;
  }
  return { request: { method: start[1]!, target: start[2]!, version: start[3]!, headers, body }, next };
}

/** Every complete request in `bytes`; an incomplete last one is returned apart. Throws on invalid bytes. */
export function parseRequestStream(bytes: Buffer): { requests: ParsedRequest[]; incomplete: boolean } {
  const requests: ParsedRequest[] = [];
  let at = 0;
  while (at < bytes.length) {
    try {
      const { request, next } = parseRequestAt(bytes, at);
      requests.push(request);
      at = next;
    } catch (error) {
      if (error instanceof Incomplete) return { requests, incomplete: true };
      throw error;
    }
  }
  return { requests, incomplete: false };
}

/** A header's values in a parsed request. */
export function headerValues(request: ParsedRequest, name: string): string[] {
  return request.headers.filter(([n]) => n === name).map(([, v]) => v);
}

/** One connection as the recording backend saw it. */
export interface RecordedConnection {
  readonly id: number;
  /** Every byte received, in order. */
  bytes: Buffer;
  /** Requests answered on it, in order. */
  readonly requests: ParsedRequest[];
  /** Why the backend gave up on this connection, if it did. */
  error: string | undefined;
  closed: boolean;
}

export interface RecordingBackend extends RawServer {
  readonly connections: RecordedConnection[];
  /** Every request answered, in arrival order. */
  requests(): ParsedRequest[];
}

/**
 * A backend that records every byte it receives, per connection, parses it with the strict parser
 * above, and answers each request with `200` and a JSON body naming its method, target and body
 * length (except those `hold` picks: their body never comes). Bytes it cannot parse are recorded
 * as an error and the connection is closed. It ignores `Connection: close`, as a careless backend
 * would: closing is then the sidecar's job.
 */
export async function recordingBackend(
  options: { hold?: (request: ParsedRequest) => boolean } = {},
): Promise<RecordingBackend> {
  const connections: RecordedConnection[] = [];
  const log: ParsedRequest[] = [];
  const server = await rawServer((socket) => {
    const connection: RecordedConnection = {
      id: connections.length + 1,
      bytes: Buffer.alloc(0),
      requests: [],
      error: undefined,
      closed: false,
    };
    connections.push(connection);
    let at = 0;
    socket.on('close', () => {
      connection.closed = true;
    });
    socket.on('data', (chunk: Buffer) => {
      connection.bytes = Buffer.concat([connection.bytes, chunk]);
      while (at < connection.bytes.length && connection.error === undefined) {
        try {
          const { request, next } = parseRequestAt(connection.bytes, at);
          at = next;
          connection.requests.push(request);
          log.push(request);
          if (options.hold?.(request)) {
            // Headers, then a body that never comes: the connection stays busy.
            socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 10\r\n\r\n');
            continue;
          }
          const body = JSON.stringify({
            method: request.method,
            target: request.target,
            body: request.body.length,
          });
          socket.write(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
          );
        } catch (error) {
          if (error instanceof Incomplete) return;
          connection.error = (error as Error).message;
          socket.destroy();
        }
      }
    });
  });
  return { ...server, connections, requests: () => log };
}
