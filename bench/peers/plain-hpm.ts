import http from 'node:http';
import { createProxyMiddleware } from 'http-proxy-middleware';

/**
 * Reference point, not a peer users would run: http-proxy-middleware 4 on a plain node:http
 * server with a keep-alive agent and nothing else, the floor for any proxy built on it (the
 * sidecar's proxy port has the same shape, plus everything it observes).
 */
const proxy = createProxyMiddleware({
  target: new URL(process.env.UPSTREAM_URL!),
  agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  // No logging or error pages: on the benchmark's happy path they would only cost time.
  ejectPlugins: true,
});
http.createServer((req, res) => void proxy(req, res)).listen(Number(process.env.PORT), '127.0.0.1');
