import { type Server, STATUS_CODES } from 'node:http';
import express, { type Express, type Router } from 'express';
import type { Registry } from 'prom-client';
import { sendError } from '../http/error-response.js';
import { CONTENT_TYPES, type ExtraFamilies, negotiateFormat, renderMetrics } from '../metrics/exposition.js';
import type { UpstreamHealth } from '../proxy/upstream-health.js';
import { STATUS_PAGE, STATUS_PAGE_CSP } from '../status/status-page.js';

export interface AdminDeps {
  registry: Registry;
  /** Series kept outside the registry (OTLP metrics in), rendered with it. */
  extraFamilies?: ExtraFamilies | undefined;
  health: UpstreamHealth;
  version: string;
  upstreamUrl: URL;
  startedAt: number;
  /** Which monitoring parts are on, for /health. */
  features: () => Record<string, boolean>;
  /** Where sending to Sentry stands, for /health: `monitoring.sentry` says only that it is configured. */
  sentry: () => unknown;
  /** True once shutdown began: /ready answers 503 so the load balancer stops sending traffic. */
  draining: () => boolean;
  /** The data of the status page, for GET /status.json (status/status-data.ts). */
  status?: (() => Promise<unknown>) | undefined;
  /** Further routers of other subsystems (ingest, recent errors), mounted as given. */
  mounts?: ReadonlyArray<{ path: string; router: Router }>;
}

/** The admin port: never exposed publicly, never proxied, never traced. */
export function createAdminApp(deps: AdminDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/metrics', async (req, res) => {
    const format = negotiateFormat(req.headers.accept);
    const body = await renderMetrics(deps.registry, format, deps.extraFamilies);
    res.set('content-type', CONTENT_TYPES[format]).send(body);
  });

  app.get('/health', (_req, res) => {
    const upstream = deps.health.current;
    res.json({
      status: 'ok',
      version: deps.version,
      uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
      upstream: {
        url: deps.upstreamUrl.origin + deps.upstreamUrl.pathname.replace(/\/$/, ''),
        reachable: upstream.up,
        last_ok_at: upstream.lastOkAt === undefined ? null : new Date(upstream.lastOkAt).toISOString(),
        reason: upstream.reason ?? null,
      },
      monitoring: deps.features(),
      sentry: deps.sentry(),
    });
  });

  app.get('/ready', (_req, res) => {
    if (deps.draining()) {
      res.status(503).json({ status: 'not_ready', reason: 'shutting down' });
    } else if (!deps.health.isReady()) {
      res
        .status(503)
        .json({ status: 'not_ready', reason: deps.health.current.reason ?? 'backend health probe is stale' });
    } else {
      res.json({ status: 'ready' });
    }
  });

  const status = deps.status;
  if (status) {
    app.get('/status.json', async (_req, res) => {
      res.set('cache-control', 'no-store').json(await status());
    });
    app.get('/', (_req, res) => {
      res
        .set({
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': STATUS_PAGE_CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        })
        .send(STATUS_PAGE);
    });
  }

  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.router);

  app.use((req, res) => {
    sendError(res, 404, { code: 'not_found', message: `no admin endpoint ${req.method} ${req.path}` });
  });
  // Express 5 forwards rejected promises here; the message never includes request data.
  app.use(
    (
      error: Error & { status?: number; type?: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      const status = error.status && error.status >= 400 && error.status < 600 ? error.status : 500;
      if (status >= 500) {
        sendError(res, status, {
          code: 'internal_error',
          message: 'the sidecar failed to process the request',
        });
      } else {
        // `bad_request`, `payload_too_large`, …: the reason phrase as a code.
        const code = (STATUS_CODES[status] ?? 'client_error').toLowerCase().replace(/\W+/g, '_');
        sendError(res, status, { code, message: error.message });
      }
    },
  );
  return app;
}

export type { Server };
