import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { createAdminApp } from './admin/admin-app.js';
import { registerBuildInfo } from './build-info.js';
import type { Config } from './config/config.js';
import { HttpMetrics } from './http-metrics/http-metrics.js';
import { createIngest, type Ingest } from './ingest/index.js';
import { ListenError } from './listen-error.js';
import { createLogger, type Logger } from './log/logger.js';
import { createRegistry } from './metrics/registry.js';
import { createOtlpIn, type OtlpIn } from './otlp/create-otlp.js';
import { createProxyPort, type ProxyPort } from './proxy/proxy-server.js';
import { REJECTION_TYPES, rejection } from './proxy/rejections.js';
import { UpstreamHealth } from './proxy/upstream-health.js';
import { createRouteDiscovery, RouteLabeler } from './routes/index.js';
import {
  createErrorTracking,
  type ErrorReporter,
  type ErrorTracking,
  type TransportFactory,
} from './sentry/index.js';
import { MetricReader } from './status/metric-reader.js';
import { RouteWindows } from './status/route-windows.js';
import { createStatusData } from './status/status-data.js';
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

function listenOn(server: http.Server, port: number, host: string, admin: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        new ListenError(admin ? 'ADMIN_PORT' : 'PORT', port, admin ? 'ADMIN_HOST' : 'HOST', host, error),
      );
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * The route labeller, the HTTP metrics it evicts series from, and what keeps it current: OpenAPI
 * discovery in the background, and a sweep so idle routes leave /metrics even when no request
 * comes to run one.
 */
function createRouting(config: Config, registry: Registry, logger: Logger) {
  let routes: RouteLabeler | undefined;
  // With the status page off, no request pays for its windows.
  const windows = config.statusPage ? new RouteWindows() : undefined;
  const metrics = new HttpMetrics(registry, () => routes?.size ?? 0, REJECTION_TYPES.map(rejection), windows);
  routes = new RouteLabeler({
    ...config.routes,
    logger,
    onEvict: (label, reason, into) => metrics.forgetRoute(label, reason, into),
    onOverflow: () => metrics.routeOverflowed(),
  });
  const labeler = routes;
  const discovery = createRouteDiscovery({
    config: config.openapi,
    upstream: config.upstream.url,
    registry,
    logger,
    routes,
  });
  let sweep: NodeJS.Timeout | undefined;
  const routing = {
    start() {
      discovery.start();
      if (config.routes.idleEvictMs > 0) {
        sweep = setInterval(() => labeler.sweep(), Math.min(60_000, config.routes.idleEvictMs / 4));
        sweep.unref();
      }
    },
    async stop() {
      clearInterval(sweep);
      await discovery.stop();
    },
  };
  return { metrics, routes, routing };
}

function logListening(
  logger: Logger,
  config: Config,
  ports: { proxyPort: number; adminPort: number },
  ingestAuth: string | undefined,
): void {
  const admin = `http://${config.admin.host}:${ports.adminPort}`;
  logger.info(
    { upstream: config.upstream.url.href },
    `Proxy listening on http://${config.proxy.host}:${ports.proxyPort} → ${config.upstream.url.href}`,
  );
  logger.info(`Prometheus metrics at ${admin}/metrics`);
  logger.info(`Health at ${admin}/health, readiness at /ready`);
  if (ingestAuth === 'token') {
    logger.info(`Ingest API at ${admin}/v1/events (bearer token required)`);
  } else if (ingestAuth !== undefined) {
    logger.warn(`Ingest API at ${admin}/v1/events accepts loopback clients only: INGEST_TOKEN is not set`);
  }
}

/**
 * Lets in-flight requests finish within SHUTDOWN_TIMEOUT_MS, then flushes pending Sentry events
 * in what is left of it: draining leaves them a share.
 */
async function shutdown(
  config: Config,
  parts: { logger: Logger; proxy: ProxyPort; errorTracking: ReturnType<typeof createErrorTracking> },
): Promise<void> {
  const { logger, proxy, errorTracking } = parts;
  const deadline = Date.now() + config.shutdownTimeoutMs;
  const flushReserve = errorTracking.enabled
    ? Math.min(config.sentry.flushTimeoutMs, Math.floor(config.shutdownTimeoutMs / 5))
    : 0;
  const inFlight = proxy.inFlight();
  if (inFlight > 0) logger.info({ in_flight: inFlight }, 'draining in-flight requests');
  const clean = await proxy.drain(config.shutdownTimeoutMs - flushReserve);
  if (!clean)
    logger.warn({ in_flight: proxy.inFlight() }, 'shutdown budget spent; closing remaining connections');
  await errorTracking.close(Math.min(config.sentry.flushTimeoutMs, deadline - Date.now()));
}

/** GET /status.json's data, read when asked; none when the status page is off. */
function statusOf(parts: {
  config: Config;
  registry: Registry;
  metrics: HttpMetrics;
  health: UpstreamHealth;
  errorTracking: ErrorTracking;
  ingest: Ingest | undefined;
  otlp: OtlpIn | undefined;
  startedAt: number;
}): (() => Promise<unknown>) | undefined {
  const windows = parts.metrics.windows;
  if (windows === undefined) return undefined;
  return createStatusData({
    version: VERSION,
    startedAt: parts.startedAt,
    config: parts.config,
    windows,
    reader: new MetricReader(parts.registry),
    backend: () => parts.health.current,
    sentry: () => parts.errorTracking.sendState(),
    recentErrors: (limit) => parts.errorTracking.recentErrors(limit),
    ingest: parts.ingest?.status,
    otlpSeries: parts.otlp?.series,
  });
}

/**
 * The ingest API and OTLP metrics in, which shares its authentication and its event-catalog
 * families. Backend `error` events go through the same scrubbing and rate limits as the
 * proxy's captures.
 */
function createIngestion(config: Config, registry: Registry, logger: Logger, errorTracking: ErrorTracking) {
  const ingest = config.ingest.enabled
    ? createIngest({
        config: config.ingest,
        registry,
        logger,
        errorSink: { report: (error) => void errorTracking.reporter.captureAppError(error) },
      })
    : undefined;
  const otlp =
    ingest && config.ingest.otlp.enabled
      ? createOtlpIn({ config: config.ingest.otlp, registry, auth: ingest.auth, logger })
      : undefined;
  return { ingest, otlp };
}

/** Wiring only: builds every part from the config and injected dependencies. No side effects until listen(). */
export function createSidecar(config: Config, deps: SidecarDeps = {}): Sidecar {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const registry = deps.registry ?? createRegistry();
  const startedAt = Date.now();
  let draining = false;

  registerBuildInfo(registry, VERSION);

  const { metrics, routes, routing } = createRouting(config, registry, logger);
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

  const { ingest, otlp } = createIngestion(config, registry, logger, errorTracking);

  const admin = http.createServer(
    createAdminApp({
      registry,
      extraFamilies: otlp?.families,
      health,
      version: VERSION,
      upstreamUrl: config.upstream.url,
      startedAt,
      features: () => ({
        prometheus: true,
        sentry: errorTracking.enabled,
        ingest: ingest !== undefined,
        otlp_metrics: otlp !== undefined,
        system_metrics: system.enabled,
      }),
      sentry: () => errorTracking.sendState(),
      draining: () => draining,
      status: statusOf({ config, registry, metrics, health, errorTracking, ingest, otlp, startedAt }),
      mounts: [
        ...(ingest ? [{ path: '/v1/events', router: ingest.router }] : []),
        ...(otlp ? [{ path: '/v1/metrics', router: otlp.router }] : []),
        { path: '/errors', router: errorTracking.router },
      ],
    }),
  );

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
      const proxyPort = await listenOn(proxy.server, config.proxy.port, config.proxy.host, false);
      const adminPort = await listenOn(admin, config.admin.port, config.admin.host, true);
      health.start();
      routing.start();
      system.start();
      logListening(logger, config, { proxyPort, adminPort }, ingest?.authMode);
      return { proxyPort, adminPort };
    },
    async close() {
      draining = true;
      await shutdown(config, { logger, proxy, errorTracking });
      health.stop();
      await routing.stop();
      system.stop();
      otlp?.close();
      proxy.agent.destroy();
      await new Promise<void>((resolve) => {
        admin.close(() => resolve());
        admin.closeAllConnections();
      });
    },
  };
}
