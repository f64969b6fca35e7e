import type { Config } from '../config/config.js';
import type { IngestStatus } from '../ingest/create-ingest.js';
import type { UpstreamHealthState } from '../proxy/upstream-health.js';
import type { RecentError, SentrySendState } from '../sentry/index.js';
import { backendPanel } from './backend-panel.js';
import { CounterRates } from './counter-rates.js';
import { ingestPanel } from './ingest-panel.js';
import type { MetricReader } from './metric-reader.js';
import type { RouteFigures, RouteWindows, WindowFigures } from './route-windows.js';
import { sidecarPanel } from './sidecar-panel.js';
import { systemPanel } from './system-panel.js';

/** Labels that are not routes, listed apart from them. */
const UNMATCHED = /^__.+__$/;
/** Recent errors on the page; GET /errors lists them all. */
const RECENT_ERRORS = 10;

export interface StatusSources {
  readonly version: string;
  readonly startedAt: number;
  readonly config?: Config | undefined;
  readonly windows: RouteWindows;
  readonly reader: MetricReader;
  readonly backend: () => UpstreamHealthState;
  readonly sentry: () => SentrySendState;
  readonly recentErrors: (limit: number) => RecentError[];
  /** Absent when the ingest API is off. */
  readonly ingest?: (() => IngestStatus) | undefined;
  /** OTLP series held and their limit; absent when OTLP metrics in is off. */
  readonly otlpSeries?: (() => { held: number; limit: number }) | undefined;
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
    in_flight: f.inFlight,
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
 * GET /status.json: what the status page shows. Routes come from the sidecar's own windows of
 * the last minute and ten minutes (route-windows.ts), busiest first; the other panels read the
 * registry /metrics renders (metric-reader.ts), so both agree.
 */
export function createStatusData(sources: StatusSources): () => Promise<unknown> {
  const ingestRates = new CounterRates();
  const cpu = new CounterRates();
  const otlp = sources.otlpSeries ? { series: sources.otlpSeries, rates: new CounterRates() } : undefined;
  return async () => {
    const rows = sources.windows
      .figures()
      .sort((a, b) => b.lastTenMinutes.requests - a.lastTenMinutes.requests);
    return {
      sidecar: sidecarPanel(sources.version, sources.startedAt, sources.config, cpu),
      routes: rows.filter((f) => !UNMATCHED.test(f.route)).map(routeRow),
      unmatched: rows.filter((f) => UNMATCHED.test(f.route)).map(routeRow),
      backend: await backendPanel(sources.backend(), sources.reader),
      errors: { sentry: sources.sentry(), recent: sources.recentErrors(RECENT_ERRORS) },
      ingest: sources.ingest ? await ingestPanel(sources.reader, ingestRates, sources.ingest(), otlp) : null,
      system: await systemPanel(sources.reader),
    };
  };
}
