import type { UpstreamHealthState } from '../proxy/upstream-health.js';
import type { RouteFigures, RouteWindows, WindowFigures } from './route-windows.js';

/** Labels that are not routes, listed apart from them. */
const UNMATCHED = /^__.+__$/;

export interface StatusSources {
  readonly version: string;
  readonly startedAt: number;
  readonly windows: RouteWindows;
  readonly backend: () => UpstreamHealthState;
}

const round = (x: number | null, digits: number) =>
  x === null ? null : Number.isFinite(x) ? Number(x.toFixed(digits)) : x > 0 ? 'inf' : null;

function window(w: WindowFigures) {
  return {
    requests: w.requests,
    rate: round(w.rate, 3),
    success_rate: round(w.successRate, 4),
    p50_seconds: round(w.p50, 4),
    p95_seconds: round(w.p95, 4),
    p99_seconds: round(w.p99, 4),
  };
}

function routeRow(f: RouteFigures) {
  return {
    method: f.method,
    route: f.route,
    last_minute: window(f.lastMinute),
    last_10_minutes: window(f.lastTenMinutes),
    error_types: f.errorTypes,
    series: {
      requests: f.series.requests,
      errors: f.series.errors,
      p99_seconds: f.series.p99.map((p) => round(p, 4)),
    },
  };
}

/**
 * GET /status.json: what the status page shows. Routes come from the sidecar's own windows
 * of the last minute and ten minutes (route-windows.ts), busiest first.
 */
export function statusData(sources: StatusSources) {
  const rows = sources.windows
    .figures()
    .sort((a, b) => b.lastTenMinutes.requests - a.lastTenMinutes.requests);
  const backend = sources.backend();
  return {
    sidecar: {
      version: sources.version,
      uptime_seconds: Math.round((Date.now() - sources.startedAt) / 1000),
      rss_bytes: process.memoryUsage.rss(),
    },
    routes: rows.filter((f) => !UNMATCHED.test(f.route)).map(routeRow),
    unmatched: rows.filter((f) => UNMATCHED.test(f.route)).map(routeRow),
    backend: {
      up: backend.up,
      last_probe_at: backend.lastCheckAt === undefined ? null : new Date(backend.lastCheckAt).toISOString(),
      last_ok_at: backend.lastOkAt === undefined ? null : new Date(backend.lastOkAt).toISOString(),
      reason: backend.reason ?? null,
    },
  };
}
