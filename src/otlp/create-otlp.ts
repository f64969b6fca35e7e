import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { OtlpConfig } from '../config/ingest.js';
import type { IngestAuth } from '../ingest/auth.js';
import { INGEST_METRIC_DECLARATIONS } from '../ingest/metric-declarations.js';
import { INGEST_SELF_METRICS } from '../ingest/self-metrics.js';
import type { Logger } from '../log/logger.js';
import type { ExtraFamilies } from '../metrics/exposition.js';
import { OtlpMetrics } from './otlp-metrics.js';
import { otlpFamilies } from './render.js';
import { createOtlpRouter } from './router.js';
import { SeriesStore } from './series-store.js';
import { type ExistingFamily, Translator } from './translate.js';

export interface OtlpDeps {
  readonly config: OtlpConfig;
  readonly registry: Registry;
  readonly auth: IngestAuth;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface OtlpIn {
  /** Mount at /v1/metrics on the admin port. */
  readonly router: Router;
  /** Pass to renderMetrics: the OTLP series on /metrics. */
  readonly families: ExtraFamilies;
  /** For the status page: series held and their limit. */
  readonly series: () => { held: number; limit: number };
  /** Stops the expiry timer. */
  close(): void;
}

/**
 * The families an OTLP metric may join: those the event catalog records (the same name, type
 * and buckets meet in one family). Every other family in the registry is the sidecar's own.
 */
function existingFamilies(registry: Registry): (name: string) => ExistingFamily | undefined {
  const own = new Set<string>(Object.values(INGEST_SELF_METRICS).map((d) => d.name));
  const catalog = new Map(
    INGEST_METRIC_DECLARATIONS.filter((d) => !own.has(d.name)).map((d) => [
      d.name,
      { type: d.type, buckets: d.type === 'histogram' ? d.buckets : undefined, shared: true },
    ]),
  );
  return (name) => {
    const shared = catalog.get(name);
    if (shared !== undefined) return shared;
    const metric = registry.getSingleMetric(name);
    return metric === undefined ? undefined : { type: 'own', shared: false };
  };
}

/** Wiring of OTLP metrics in: the store, its metrics on the registry, the router, the expiry timer. */
export function createOtlpIn(deps: OtlpDeps): OtlpIn {
  const { config } = deps;
  const store = new SeriesStore(
    { maxSeries: config.maxSeries, maxSeriesPerMetric: config.maxSeriesPerMetric, ttlMs: config.seriesTtlMs },
    deps.now,
  );
  const metrics = new OtlpMetrics(deps.registry, store);
  const translator = new Translator(store, {
    existing: existingFamilies(deps.registry),
    resourceAttributeDropped: (reason) => metrics.resourceAttributeDropped(reason),
  });
  const sweep = setInterval(() => metrics.expired(store.sweep()), Math.min(config.seriesTtlMs / 10, 30_000));
  sweep.unref();
  return {
    router: createOtlpRouter({ auth: deps.auth, translator, metrics, logger: deps.logger, config }),
    families: otlpFamilies(store),
    series: () => ({ held: store.size, limit: store.limit }),
    close: () => clearInterval(sweep),
  };
}
