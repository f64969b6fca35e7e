import http from 'node:http';
import * as Sentry from '@sentry/node';
import express from 'express';
import promBundle from 'express-prom-bundle';
import { createProxyMiddleware } from 'http-proxy-middleware';

/**
 * Peer: what a user would otherwise build in the proxy process: express-prom-bundle in front of
 * http-proxy-middleware, with @sentry/node tracing 10% of requests (sentry-inproc-init.ts) and
 * capturing errors through its Express handler.
 */
const app = express();
app.use(promBundle({ includeMethod: true, includePath: true, includeStatusCode: true }));
app.use(
  createProxyMiddleware({
    target: process.env.UPSTREAM_URL,
    agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  }),
);
Sentry.setupExpressErrorHandler(app);
app.listen(Number(process.env.PORT), '127.0.0.1');
