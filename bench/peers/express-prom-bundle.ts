import http from 'node:http';
import express from 'express';
import promBundle from 'express-prom-bundle';
import { createProxyMiddleware } from 'http-proxy-middleware';

/** Peer: the naive instrumented proxy, express-prom-bundle in front of http-proxy-middleware. */
const app = express();
app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }));
app.use(
  createProxyMiddleware({
    target: process.env.UPSTREAM_URL,
    agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  }),
);
app.listen(Number(process.env.PORT), '127.0.0.1');
