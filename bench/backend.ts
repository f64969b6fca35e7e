import http from 'node:http';
import { openapiDocument } from './route-templates.js';

/**
 * The benchmark's backend: precomputed bodies so that its own CPU cost is small and the same for
 * every contestant. Listens on BENCH_BACKEND_PORT.
 */
function jsonBody(bytes: number): Buffer {
  const item = { id: 12345, name: 'Account holder', iban_masked: 'DE89 **** 3000', balance: 1234.56 };
  const items: unknown[] = [];
  let text = '';
  while (text.length < bytes) {
    items.push(item);
    text = JSON.stringify({ items });
  }
  return Buffer.from(text);
}

const small = jsonBody(1_000);
const large = jsonBody(100_000);
/** `/openapi-<n>.json`: an API description of n route templates (bench/route-templates.ts). */
const documents = new Map([100, 1_000].map((n) => [`/openapi-${n}.json`, Buffer.from(openapiDocument(n))]));

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  const document = documents.get(url);
  if (document) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': document.length });
    res.end(document);
  } else if (url.startsWith('/json1k') || url.startsWith('/api/')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': small.length });
    res.end(small);
  } else if (url.startsWith('/json100k')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': large.length });
    res.end(large);
  } else if (url.startsWith('/slow')) {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': small.length });
      res.end(small);
    }, 10);
  } else if (url.startsWith('/sse')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let n = 0;
    const timer = setInterval(() => {
      res.write(`data: {"n":${n},"at":${Date.now()}}\n\n`);
      if (++n === 50) {
        clearInterval(timer);
        res.end();
      }
    }, 20);
    res.on('close', () => clearInterval(timer));
  } else if (url.startsWith('/catalog/')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  } else if (url.startsWith('/fail')) {
    res.writeHead(503, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  } else if (url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  } else {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.BENCH_BACKEND_PORT ?? 18000), '127.0.0.1');
