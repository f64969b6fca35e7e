import http from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

/** Peer: Express 5 + http-proxy-middleware 4 with a keep-alive agent, and nothing else. */
const app = express();
app.use(
  createProxyMiddleware({
    target: process.env.UPSTREAM_URL,
    agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  }),
);
app.listen(Number(process.env.PORT), '127.0.0.1');
