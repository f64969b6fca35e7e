import http from 'node:http';
import https from 'node:https';
import { createProxyMiddleware, type Options, proxyEventsPlugin } from 'http-proxy-middleware';
import type { Config } from '../config/config.js';
import type { HttpMetrics } from '../http-metrics/http-metrics.js';
import type { Logger } from '../log/logger.js';
import { clientErrorHandler, connectHandler } from './client-errors.js';
import type { ProxyContext } from './context.js';
import { PortTraffic } from './drain.js';
import { type ExchangeObserver, ObserverHooks } from './observers.js';
import { requestHandler } from './requests.js';
import type { RouteResolver } from './route-resolver.js';
import { upstreamEvents } from './upstream-events.js';
import { ViaMark } from './via.js';
import { upgradeHandler, upgradeRequestMade } from './websocket.js';

export type { Exchange } from './exchange.js';
export type { ExchangeObserver } from './observers.js';
export type { ExchangeOutcome } from './outcome.js';
export type { RouteResolver, RouteTemplate } from './route-resolver.js';

export interface ProxyDeps {
  config: Config;
  metrics: HttpMetrics;
  routes: RouteResolver;
  logger: Logger;
  observers?: readonly ExchangeObserver[];
}

export interface ProxyPort {
  readonly server: http.Server;
  readonly agent: http.Agent;
  /** Requests and streams in flight. */
  inFlight(): number;
  /** Stop accepting, let in-flight requests finish, resolve when idle or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean>;
}

/**
 * The proxy port, wired: a plain node:http server hands each request to http-proxy-middleware
 * (the proxy port has no routes of its own, so Express's router would only add work per
 * request), and each concern is a module of its own: requests.ts and websocket.ts begin
 * exchanges, upstream-events.ts handles the backend's side, relay.ts writes its responses,
 * deadlines.ts keeps the timers, finish.ts records the outcome (outcome.ts), client-errors.ts
 * answers what the parser refused and drain.ts stops the port.
 */
export function createProxyPort(deps: ProxyDeps): ProxyPort {
  const { config } = deps;
  const agent = upstreamAgent(config.upstream);
  const ctx: ProxyContext = {
    config,
    metrics: deps.metrics,
    routes: deps.routes,
    logger: deps.logger,
    observers: new ObserverHooks(deps.observers ?? [], deps.logger),
    traffic: new PortTraffic(),
    via: new ViaMark(),
    resend: () => {},
  };

  const common: Options = {
    // A URL object, not a string: both http-proxy-middleware and httpxy would parse a string per request.
    target: config.upstream.url,
    changeOrigin: !config.proxy.preserveHost,
    xfwd: false,
    // The default plugins log to the console and answer errors with text; the sidecar keeps only
    // the one that wires `on` handlers, and answers errors itself.
    ejectPlugins: true,
    plugins: [proxyEventsPlugin],
    selfHandleResponse: true,
    on: { ...upstreamEvents(ctx), proxyReqWs: upgradeRequestMade },
  };
  const webProxy = createProxyMiddleware({ ...common, agent });
  ctx.resend = (req, res) =>
    void webProxy(req, res).catch((error: unknown) =>
      ctx.logger.error({ err: error }, 'proxy middleware failed'),
    );
  // An upgraded socket leaves the pool for good, so WebSockets get their own connections.
  const wsProxy = createProxyMiddleware({
    ...common,
    agent: false,
    upgradeTimeout: config.upstream.timeoutMs,
  });

  const server = http.createServer(serverOptions(config.proxy), requestHandler(ctx, webProxy));
  server.on('listening', () => {
    const address = server.address();
    if (address !== null && typeof address === 'object') ctx.via.listening(address.port);
  });
  server.on('upgrade', upgradeHandler(ctx, wsProxy));
  server.on('clientError', clientErrorHandler(ctx));
  server.on('connect', connectHandler(ctx));

  return {
    server,
    agent,
    inFlight: () => ctx.traffic.inFlight,
    drain: (timeoutMs) => ctx.traffic.drain(server, timeoutMs),
  };
}

/** The keep-alive pool to the backend. */
function upstreamAgent(upstream: Config['upstream']): http.Agent {
  const options: http.AgentOptions = {
    keepAlive: true,
    maxSockets: upstream.maxSockets,
    maxFreeSockets: upstream.maxSockets,
    timeout: upstream.idleTimeoutMs,
    scheduling: 'lifo',
  };
  return upstream.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

function serverOptions(proxy: Config['proxy']): http.ServerOptions {
  return {
    // Slow clients must not hold sockets forever; long responses are not affected.
    headersTimeout: proxy.clientHeaderTimeoutMs,
    // Node checks its timeouts every 30 s by default; a quarter of the limit keeps it close to its word.
    connectionsCheckingInterval: Math.min(30_000, Math.ceil(proxy.clientHeaderTimeoutMs / 4)),
    requestTimeout: 0,
    keepAliveTimeout: 65_000,
    // Refuses headers over 16 KiB with 431, like nginx's large_client_header_buffers default.
    maxHeaderSize: 16_384,
    // Checked in refusalOf() (rejections.ts), so that the answer is counted and has a JSON body
    // like every other.
    requireHostHeader: false,
    // Only WebSocket upgrades leave the request path. Any other Upgrade offer (h2c, which
    // `curl --http2` makes) is a plain HTTP/1.1 request that may ignore it (RFC 9110 §7.8);
    // handed to the WebSocket proxy, it would be dropped without an answer.
    shouldUpgradeCallback: (req) => req.headers.upgrade?.toLowerCase() === 'websocket',
  };
}
