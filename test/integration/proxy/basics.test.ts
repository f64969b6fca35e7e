import http from 'node:http';
import net from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, json, request } from '../../helpers/http.js';
import { type RunningSidecar, startSidecar, startStack } from '../../helpers/sidecar.js';

interface Echoed {
  method: string;
  url: string;
  headers: Record<string, string>;
}

describe('proxy port: transparent forwarding', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND'])(
    'forwards %s with path and query intact',
    async (method) => {
      const res = await request(`${stack.proxyUrl}/api/headers?x=1&y=%20z`, { method });
      expect(res.status).toBe(200);
      const echoed = json<Echoed>(res);
      expect(echoed.method).toBe(method);
      expect(echoed.url).toBe('/api/headers?x=1&y=%20z');
    },
  );

  it('answers HEAD without a body', async () => {
    const res = await request(`${stack.proxyUrl}/api/users/1`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
  });

  it('streams request bodies both ways byte for byte', async () => {
    const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const res = await request(`${stack.proxyUrl}/api/echo`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    expect(res.body.equals(body)).toBe(true);
  });

  it('reserves no path: the backend own /health and /metrics stay reachable', async () => {
    expect(json(await request(`${stack.proxyUrl}/health`))).toEqual({ status: 'ok' });
    const metrics = await request(`${stack.proxyUrl}/metrics`);
    expect(json(metrics)).toHaveProperty('note');
    expect(metrics.body.toString()).not.toContain('http_server_request_duration_seconds');
  });

  it('generates an X-Request-Id, sends it to the backend and returns it', async () => {
    const res = await request(`${stack.proxyUrl}/api/headers`);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(json<Echoed>(res).headers['x-request-id']).toBe(id);
  });

  it('keeps a usable incoming X-Request-Id and replaces an unsafe one', async () => {
    const kept = await request(`${stack.proxyUrl}/api/headers`, {
      headers: { 'x-request-id': 'nginx-abc123' },
    });
    expect(kept.headers['x-request-id']).toBe('nginx-abc123');
    expect(json<Echoed>(kept).headers['x-request-id']).toBe('nginx-abc123');
    const replaced = await request(`${stack.proxyUrl}/api/headers`, {
      headers: { 'x-request-id': 'a b<script>' },
    });
    expect(replaced.headers['x-request-id']).not.toBe('a b<script>');
  });

  it('preserves Host and appends X-Forwarded-* from a trusted peer', async () => {
    const res = await request(`${stack.proxyUrl}/api/headers`, {
      headers: {
        host: 'bank.example',
        'x-forwarded-for': '198.51.100.4',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'bank.example',
      },
    });
    const headers = json<Echoed>(res).headers;
    expect(headers.host).toBe('bank.example');
    expect(headers['x-forwarded-for']).toBe('198.51.100.4, 127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('https');
    expect(headers['x-forwarded-host']).toBe('bank.example');
  });

  it('removes hop-by-hop headers before the backend', async () => {
    const res = await request(`${stack.proxyUrl}/api/headers`, {
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        te: 'trailers',
      },
    });
    const headers = json<Echoed>(res).headers;
    expect(headers['x-hop']).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers.te).toBeUndefined();
  });
});

describe('proxy port: forwarded headers from an untrusted peer', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ TRUST_PROXY: 'false' });
  });
  afterAll(() => stack.close());

  it('replaces forged X-Forwarded-* and drops Forwarded and X-Real-IP', async () => {
    const res = await request(`${stack.proxyUrl}/api/headers`, {
      headers: {
        host: 'bank.example',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=6.6.6.6',
        'x-real-ip': '6.6.6.6',
      },
    });
    const headers = json<Echoed>(res).headers;
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe('bank.example');
    expect(headers.forwarded).toBeUndefined();
    expect(headers['x-real-ip']).toBeUndefined();
  });
});

describe('access log', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ ACCESS_LOG: 'true' });
  });
  afterAll(() => stack.close());

  it('writes one line per request with the route template, never headers, query or body', async () => {
    await request(`${stack.proxyUrl}/api/users/42?password=hunter2`, {
      method: 'GET',
      headers: { authorization: 'Bearer sk-live-secret', cookie: 'session=abc123' },
    });
    const line = await eventually(() => stack.logs.lines.find((l) => l.msg === 'request'));
    expect(line).toMatchObject({ method: 'GET', route: '/api/users/{id}', status: 200 });
    expect(line.request_id).toEqual(expect.any(String));
    expect(line.duration_ms).toEqual(expect.any(Number));
    const text = stack.logs.text();
    for (const secret of ['hunter2', 'sk-live-secret', 'abc123', '/api/users/42'])
      expect(text).not.toContain(secret);
  });
});

describe('proxy port: response headers', () => {
  // A backend writing its own header block, so that the hop-by-hop headers are exactly these.
  const backend = net.createServer((socket) => {
    socket.once('data', (head) => {
      if (head.toString('latin1').startsWith('GET /sse-late ')) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n');
        const timer = setTimeout(() => socket.end('data: late\n\n'), 600);
        return void socket.once('close', () => clearTimeout(timer));
      }
      if (head.toString('latin1').startsWith('GET /coded ')) {
        const coded = gzipSync('hello');
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n');
        return void socket.end(
          Buffer.concat([
            Buffer.from(`${coded.length.toString(16)}\r\n`),
            coded,
            Buffer.from('\r\n0\r\n\r\n'),
          ]),
        );
      }
      if (head.toString('latin1').startsWith('GET /odd-reason ')) {
        // Node's parser accepts control characters in a reason phrase that its writeHead refuses.
        return void socket.end('HTTP/1.1 200 Fine\x01Really\r\nContent-Length: 2\r\nX-Kept: yes\r\n\r\nok');
      }
      const body = 'hello';
      socket.end(
        'HTTP/1.1 201 Made Here\r\nContent-Type: text/plain\r\nConnection: close, X-Hop\r\n' +
          'Keep-Alive: timeout=1\r\nX-Hop: secret\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n' +
          'Trailer: Expires\r\nX-Request-Id: from-backend\r\nTransfer-Encoding: chunked\r\n\r\n' +
          `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
    });
  });
  let running: RunningSidecar;
  /** The client's side as bytes: what a raw socket reads back for `GET path`. */
  const rawGet = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(
        (running.sidecar.proxy.server.address() as net.AddressInfo).port,
        '127.0.0.1',
      );
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString('latin1');
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(`GET ${path} HTTP/1.1\r\nHost: bank.example\r\nConnection: close\r\n\r\n`);
    });
  beforeAll(async () => {
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    running = await startSidecar(`http://127.0.0.1:${(backend.address() as net.AddressInfo).port}`);
  });
  afterAll(async () => {
    await running.close();
    backend.close();
  });

  it('passes status, reason, duplicates and the body on, without the hop-by-hop headers', async () => {
    const raw = await rawGet('/made');
    const end = raw.indexOf('\r\n\r\n');
    const head = raw.slice(0, end);
    const body = raw.slice(end + 4);
    const lines = head.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 201 Made Here');
    expect(lines.filter((l) => /^set-cookie:/i.test(l))).toEqual(['Set-Cookie: a=1', 'Set-Cookie: b=2']);
    expect(lines.filter((l) => /^x-request-id:/i.test(l))).toEqual(['X-Request-Id: from-backend']);
    expect(head).not.toMatch(/x-hop|keep-alive: timeout=1|^trailer:/im);
    // Node frames the body for the client itself.
    expect(head).toMatch(/^transfer-encoding: chunked$/im);
    expect(body).toBe('5\r\nhello\r\n0\r\n\r\n');
  });

  it('sends the headers of an event stream before its first event', async () => {
    const started = performance.now();
    const headersAfter = await new Promise<number>((resolve, reject) => {
      http
        .get(`${running.proxyUrl}/sse-late`, (res) => {
          resolve(performance.now() - started);
          res.resume();
        })
        .on('error', reject);
    });
    expect(headersAfter).toBeLessThan(400);
  });

  it('keeps a transfer coding beyond chunked framing, with the body still coded', async () => {
    const res = await request(`${running.proxyUrl}/coded`);
    expect(res.headers['transfer-encoding']).toBe('gzip, chunked');
    expect(gunzipSync(res.body).toString()).toBe('hello');
  });

  it('answers with the standard reason when the backend sends one Node cannot write, and keeps serving', async () => {
    const raw = await rawGet('/odd-reason');
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toMatch(/\r\nX-Kept: yes\r\n/);
    expect(raw.endsWith('\r\n\r\nok')).toBe(true);
    expect((await request(`${running.proxyUrl}/odd-reason`)).status).toBe(200);
  });
});
