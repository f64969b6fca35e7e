import http from 'node:http';

/**
 * Reference point, not a peer: a proxy written on `node:http` alone (a keep-alive agent, the
 * request piped to the backend and the response back, a 502 when the backend cannot be
 * reached). The baseline measured one; it is the floor for any Node proxy.
 */
const upstream = new URL(process.env.UPSTREAM_URL!);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

http
  .createServer((req, res) => {
    const proxyReq = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (proxyRes) => {
        res.writeHead(proxyRes.statusCode!, proxyRes.headers);
        proxyRes.pipe(res);
      },
    );
    proxyReq.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    });
    req.pipe(proxyReq);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
