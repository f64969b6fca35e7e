import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { createAdminApp } from './admin/admin-app.js';
import { registerBuildInfo } from './build-info.js';
import type { Config } from './config/config.js';
import { HttpMetrics } from './http-metrics/http-metrics.js';
import { createIngest } from './ingest/index.js';
import { createLogger, type Logger } from './log/logger.js';
import { createRegistry } from './metrics/registry.js';
import { createProxyPort, type ProxyPort } from './proxy/proxy-server.js';
import { REJECTION_TYPES, rejection } from './proxy/rejections.js';
import { UpstreamHealth } from './proxy/upstream-health.js';
import { createRouteDiscovery, RouteLabeler } from './routes/index.js';
import { createErrorTracking, type ErrorReporter, type TransportFactory } from './sentry/index.js';
import { createSystemMetrics, type SystemMetrics } from './system/system-metrics.js';
import { VERSION } from './version.js';

export interface SidecarDeps {
  logger?: Logger;
  registry?: Registry;
  /** Replaces the Sentry SDK's HTTP transport (still bounded and counted). */
  sentryTransport?: TransportFactory;
}

export interface Sidecar {
  readonly config: Config;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly proxy: ProxyPort;
  readonly admin: http.Server;
  readonly health: UpstreamHealth;
  /** Background system-metric collectors (host, backend process, certificates, upstream pool). */
  readonly system: SystemMetrics;
  /** Reports backend errors to Sentry (when configured) and GET /errors, scrubbed and rate-limited. */
  readonly errors: ErrorReporter;
  /** Decides each request's `http_route`; OpenAPI discovery hands it the document's templates. */
  readonly routes: RouteLabeler;
  /** Listen on both ports; resolves with the bound ports (useful with port 0). */
  listen(): Promise<{ proxyPort: number; adminPort: number }>;
  /** Graceful stop: stop accepting, finish in-flight requests within SHUTDOWN_TIMEOUT_MS, close. */
  close(): Promise<void>;
}

function listenOn(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Wiring only: builds every part from the config and injected dependencies. No side effects until listen(). */
export function createSidecar(config: Config, deps: SidecarDeps = {}): Sidecar {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const registry = deps.registry ?? createRegistry();
  const startedAt = Date.now();
  let draining = false;

  registerBuildInfo(registry, VERSION);

  let routes: RouteLabeler | undefined;
  const metrics = new HttpMetrics(registry, () => routes?.size ?? 0, REJECTION_TYPES.map(rejection));
  routes = new RouteLabeler({
    ...config.routes,
    logger,
    onEvict: (label, reason, into) => metrics.forgetRoute(label, reason, into),
    onOverflow: () => metrics.routeOverflowed(),
  });
  // The backend's OpenAPI documents, looked for in the background: nothing waits for them.
  const discovery = createRouteDiscovery({
    config: config.openapi,
    upstream: config.upstream.url,
    registry,
    logger,
    routes,
  });
  // Idle routes leave /metrics even when no request comes to run the sweep.
  let routeSweep: NodeJS.Timeout | undefined;
  const health = new UpstreamHealth(config.upstream, registry, logger);
  const errorTracking = createErrorTracking(config.sentry, {
    registry,
    logger,
    upstream: config.upstream.url,
    transport: deps.sentryTransport,
  });
  const proxy = createProxyPort({ config, metrics, routes, logger, observers: [errorTracking.observer] });
  const system = createSystemMetrics({
    config: config.system,
    registry,
    logger,
    upstreamAgent: proxy.agent,
    upstreamMaxSockets: config.upstream.maxSockets,
  });

  // Backend `error` events go through the same scrubbing and rate limits as the proxy's captures.
  const ingest = config.ingest.enabled
    ? createIngest({
        config: config.ingest,
        registry,
        logger,
        errorSink: { report: (error) => void errorTracking.reporter.captureAppError(error) },
      })
    : undefined;

  const adminApp = createAdminApp({
    registry,
    health,
    version: VERSION,
    upstreamUrl: config.upstream.url,
    startedAt,
    features: () => ({
      prometheus: true,
      sentry: errorTracking.enabled,
      ingest: ingest !== undefined,
      system_metrics: system.enabled,
    }),
    draining: () => draining,
    mounts: [
      ...(ingest ? [{ path: '/v1/events', router: ingest.router }] : []),
      { path: '/errors', router: errorTracking.router },
    ],
  });
  const admin = http.createServer(adminApp);

  return {
    config,
    registry,
    logger,
    proxy,
    admin,
    health,
    system,
    errors: errorTracking.reporter,
    routes,
    async listen() {
      await errorTracking.start();
      const proxyPort = await listenOn(proxy.server, config.proxy.port, config.proxy.host);
      const adminPort = await listenOn(admin, config.admin.port, config.admin.host);
      health.start();
      discovery.start();
      system.start();
      if (config.routes.idleEvictMs > 0) {
        routeSweep = setInterval(() => routes.sweep(), Math.min(60_000, config.routes.idleEvictMs / 4));
        routeSweep.unref();
      }
      logger.info(
        { upstream: config.upstream.url.href },
        `Proxy listening on http://${config.proxy.host}:${proxyPort} → ${config.upstream.url.href}`,
      );
      logger.info(`Prometheus metrics at http://${config.admin.host}:${adminPort}/metrics`);
      logger.info(`Health at http://${config.admin.host}:${adminPort}/health, readiness at /ready`);
      if (ingest?.authMode === 'token') {
        logger.info(
          `Ingest API at http://${config.admin.host}:${adminPort}/v1/events (bearer token required)`,
        );
      } else if (ingest) {
        logger.warn(
          `Ingest API at http://${config.admin.host}:${adminPort}/v1/events accepts loopback clients only: INGEST_TOKEN is not set`,
        );
      }
      return { proxyPort, adminPort };
    },
    async close() {
      draining = true;
      const deadline = Date.now() + config.shutdownTimeoutMs;
      // Pending Sentry events are flushed within the same budget: draining leaves them a share.
      const flushReserve = errorTracking.enabled
        ? Math.min(config.sentry.flushTimeoutMs, Math.floor(config.shutdownTimeoutMs / 5))
        : 0;
      const inFlight = proxy.inFlight();
      if (inFlight > 0) logger.info({ in_flight: inFlight }, 'draining in-flight requests');
      const clean = await proxy.drain(config.shutdownTimeoutMs - flushReserve);
      if (!clean)
        logger.warn({ in_flight: proxy.inFlight() }, 'shutdown budget spent; closing remaining connections');
      await errorTracking.close(Math.min(config.sentry.flushTimeoutMs, deadline - Date.now()));
      health.stop();
      await discovery.stop();
      system.stop();
      clearInterval(routeSweep);
      proxy.agent.destroy();
      await new Promise<void>((resolve) => {
        admin.close(() => resolve());
        admin.closeAllConnections();
      });
    },
  };
}
