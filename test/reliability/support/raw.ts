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
  options: { waitMs?: number; gapMs?: number; halfClose?: boolean } = {},
): Promise<RawExchange> {
  const pieces = Array.isArray(payload) ? payload : [payload];
  const waitMs = options.waitMs ?? 1_000;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
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

/** Status codes of every response in a raw answer, in order. */
export function statusesIn(text: string): number[] {
  return [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
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

/** The head of each request read so far on a socket, and the rest of the bytes, parsed strictly. */
export interface ParsedRequest {
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** Header lines as received, name and value. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/**
 * A strict HTTP/1.1 request parser for what a backend receives: CRLF only, no folding, exactly one
 * framing (Content-Length, or chunked as the final coding, or none), and nothing left over. A
 * stream that does not parse this way is a stream two HTTP implementations could read
 * differently. Returns the requests, or throws saying where the stream stopped making sense.
 */
export function parseRequestStream(bytes: Buffer): ParsedRequest[] {
  const requests: ParsedRequest[] = [];
  let at = 0;
  const text = bytes.toString('latin1');
  while (at < bytes.length) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end === -1)
      throw new Error(`incomplete head at byte ${at}: ${JSON.stringify(text.slice(at, at + 80))}`);
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
    if (lengths.length > 0 && codings.length > 0)
      throw new Error('both Content-Length and Transfer-Encoding');
    if (lengths.length > 1) throw new Error('more than one Content-Length');
    at = end + 4;
    let body: Buffer = Buffer.alloc(0);
    if (codings.length > 0) {
      const list = codings
        .join(',')
        .split(',')
        .map((c) => c.trim().toLowerCase());
      if (list[list.length - 1] !== 'chunked')
        throw new Error(`Transfer-Encoding ${codings} not ending in chunked`);
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = text.indexOf('\r\n', at);
        if (lineEnd === -1) throw new Error('incomplete chunk size line');
        const sizeLine = text.slice(at, lineEnd);
        const size = /^([0-9a-fA-F]{1,8})(?:;.*)?$/.exec(sizeLine);
        if (!size) throw new Error(`bad chunk size ${JSON.stringify(sizeLine)}`);
        const n = Number.parseInt(size[1]!, 16);
        at = lineEnd + 2;
        if (n === 0) {
          // Trailer section, then the final CRLF.
          const trailerEnd = text.indexOf('\r\n', at);
          if (trailerEnd !== at)
            throw new Error(`trailers sent to the backend: ${JSON.stringify(text.slice(at, at + 80))}`);
          at += 2;
          break;
        }
        if (at + n + 2 > bytes.length) throw new Error('incomplete chunk');
        parts.push(bytes.subarray(at, at + n));
        if (text.slice(at + n, at + n + 2) !== '\r\n') throw new Error('chunk not followed by CRLF');
        at += n + 2;
      }
      body = Buffer.concat(parts);
    } else if (lengths.length === 1) {
      if (!/^\d+$/.test(lengths[0]!)) throw new Error(`bad Content-Length ${lengths[0]}`);
      const n = Number(lengths[0]);
      if (at + n > bytes.length) throw new Error('incomplete body');
      body = bytes.subarray(at, at + n);
      at += n;
    }
    requests.push({ method: start[1]!, target: start[2]!, version: start[3]!, headers, body });
  }
  return requests;
}
