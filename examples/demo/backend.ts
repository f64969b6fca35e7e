import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { DEMO_OPENAPI } from './openapi.js';

/**
 * A small backend that behaves like the ones the sidecar sits in front of: JSON routes with ids,
 * a slow route, failing routes, an SSE stream, uploads, downloads and a WebSocket echo. The demo
 * runs it, and the tests use it as their fixture backend.
 */

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function numberParam(url: URL, name: string, fallback: number, max: number): number {
  const value = Number(url.searchParams.get(name));
  return Number.isFinite(value) && value >= 0 ? Math.min(value, max) : fallback;
}

const CHUNK = Buffer.alloc(64 * 1024, 'x');

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://backend.local');
  const path = url.pathname;
  const parts = path.split('/').filter(Boolean);

  if (path === '/health') return json(res, 200, { status: 'ok' });
  if (path === '/openapi.json') return json(res, 200, DEMO_OPENAPI);
  if (path === '/metrics')
    return json(res, 200, { note: 'the backend own /metrics, reachable through the proxy port' });

  if (
    parts[0] === 'api' &&
    parts[1] === 'users' &&
    parts.length === 3 &&
    (req.method === 'GET' || req.method === 'HEAD')
  ) {
    const id = parts[2]!;
    if (!/^\d+$/.test(id) || Number(id) > 1000) return json(res, 404, { detail: 'user not found' });
    return json(res, 200, { id: Number(id), name: `User ${id}`, plan: Number(id) % 2 ? 'basic' : 'premium' });
  }
  if (parts[0] === 'api' && parts[1] === 'accounts' && parts[3] === 'transactions' && parts.length === 4) {
    const items = Array.from({ length: 5 }, (_, i) => ({
      id: `${parts[2]}-${i}`,
      amount: (i + 1) * 12.5,
      currency: 'EUR',
    }));
    return json(res, 200, { account: parts[2], items });
  }
  if (parts[0] === 'api' && parts[1] === 'catalog' && parts.length === 3) {
    // A content route with free-form slugs: every slug is a distinct, valid page.
    return json(res, 200, { slug: parts[2] });
  }
  if (path === '/api/payload') {
    // ~1 KB by default; ?kb=100 for a larger JSON body.
    const kb = numberParam(url, 'kb', 1, 10_240);
    const items = Array.from({ length: Math.max(1, Math.round((kb * 1024) / 64)) }, (_, i) => ({
      i,
      v: 'abcdefghijklmnopqrstuvwxyz0123',
    }));
    return json(res, 200, { items });
  }
  if (path === '/api/slow') {
    const ms = numberParam(url, 'ms', 250, 600_000);
    const timer = setTimeout(() => json(res, 200, { slept_ms: ms }), ms);
    res.on('close', () => clearTimeout(timer));
    return;
  }
  if (path === '/api/fail') {
    const status = numberParam(url, 'status', 500, 599);
    return json(res, status >= 400 ? status : 500, { detail: 'simulated failure', status });
  }
  if (path === '/api/headers')
    return json(res, 200, { method: req.method, url: req.url, headers: req.headers });
  if (path === '/api/echo') {
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
    req.pipe(res);
    return;
  }
  if (path === '/api/upload') {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => json(res, 200, { bytes }));
    return;
  }
  if (path === '/api/download') {
    let remaining = numberParam(url, 'bytes', 1024, 8 * 1024 ** 3);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': remaining });
    const pump = () => {
      while (remaining > 0) {
        const size = Math.min(remaining, CHUNK.length);
        remaining -= size;
        if (!res.write(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size)))
          return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
    return;
  }
  if (path === '/api/sse') {
    const count = numberParam(url, 'events', 5, 100_000);
    const interval = numberParam(url, 'interval', 200, 60_000);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let sent = 0;
    const send = () => {
      res.write(`id: ${sent}\nevent: tick\ndata: ${JSON.stringify({ n: sent, at: Date.now() })}\n\n`);
      sent++;
      if (sent >= count) {
        clearInterval(timer);
        res.end();
      }
    };
    const timer = setInterval(send, interval);
    send();
    res.on('close', () => clearInterval(timer));
    return;
  }
  if (path === '/api/reset') {
    // Headers and part of the body, then the connection dies: a backend crash mid-response.
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1_000_000 });
    res.write(CHUNK.subarray(0, 1000));
    setTimeout(() => req.socket.destroy(), 50);
    return;
  }
  if (path === '/api/hang') return; // never answers
  if (path === '/api/crash') {
    req.socket.destroy();
    return;
  }
  json(res, 404, { detail: 'Not Found' });
}

export interface DemoBackend {
  readonly server: http.Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startDemoBackend(port = 0, host = '127.0.0.1'): Promise<DemoBackend> {
  const server = http.createServer(handle);
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url?.startsWith('/ws/echo')) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      });
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
