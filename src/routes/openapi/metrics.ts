import type { Counter, Gauge, Registry } from 'prom-client';
import { promCounter, promGauge } from '../../metrics/create-metric.js';
import { declareMetrics } from '../../metrics/declaration.js';

/** OpenAPI discovery's families, recorded by OpenApiMetrics below; docs/METRICS.md. */
export const OPENAPI_METRICS = declareMetrics({
  loads: {
    name: 'sidecar_openapi_loads_total',
    type: 'counter',
    help: "Looks for the backend's OpenAPI document, by outcome.",
    labelNames: ['outcome'],
  },
  routes: {
    name: 'sidecar_openapi_routes',
    type: 'gauge',
    help: 'Route templates taken from the OpenAPI documents in force; 0 before one loaded.',
    labelNames: [],
  },
  refusedPaths: {
    name: 'sidecar_openapi_refused_paths',
    type: 'gauge',
    help: 'Paths of the OpenAPI documents in force that are not path templates and were left out.',
    labelNames: [],
  },
  lastSuccess: {
    name: 'sidecar_openapi_last_success_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time of the last look that found a good OpenAPI document (new or unchanged); 0 before one.',
    labelNames: [],
  },
});

/**
 * What became of one look for the backend's API description:
 * - `success`: a new document loaded; its templates are in force.
 * - `unchanged`: the document in force is still served as it was (304, or the same bytes).
 * - `not_found`: no API description where it was looked for.
 * - `fetch_error`: no usable answer (backend down, timeout, 5xx, undecodable body).
 * - `too_large`: over OPENAPI_MAX_BYTES, or more paths than OPENAPI_MAX_ROUTES.
 * - `parse_error`: neither JSON nor YAML, an alias bomb, or more than the parser's memory or time.
 * - `invalid`: parsed, but not a usable OpenAPI 3.x or Swagger 2.0 document.
 */
export const LOAD_OUTCOMES = [
  'success',
  'unchanged',
  'not_found',
  'fetch_error',
  'too_large',
  'parse_error',
  'invalid',
] as const;
export type LoadOutcome = (typeof LOAD_OUTCOMES)[number];

export class OpenApiMetrics {
  private readonly loads: Counter<'outcome'>;
  private readonly routes: Gauge;
  private readonly refusedPaths: Gauge;
  private readonly lastSuccess: Gauge;

  constructor(registry: Registry) {
    this.loads = promCounter(registry, OPENAPI_METRICS.loads);
    for (const outcome of LOAD_OUTCOMES) this.loads.inc({ outcome }, 0);
    this.routes = promGauge(registry, OPENAPI_METRICS.routes);
    this.refusedPaths = promGauge(registry, OPENAPI_METRICS.refusedPaths);
    this.lastSuccess = promGauge(registry, OPENAPI_METRICS.lastSuccess);
    this.routes.set(0);
    this.refusedPaths.set(0);
    this.lastSuccess.set(0);
  }

  loaded(outcome: LoadOutcome): void {
    this.loads.inc({ outcome });
  }

  /** The documents in force, by URL: with OPENAPI_URL naming several, the gauges add them up. */
  private readonly documents = new Map<string, { templates: number; refusedPaths: number }>();

  inForce(url: string, templates: number, refusedPaths: number, at: number): void {
    this.documents.set(url, { templates, refusedPaths });
    let sumTemplates = 0;
    let sumRefused = 0;
    for (const d of this.documents.values()) {
      sumTemplates += d.templates;
      sumRefused += d.refusedPaths;
    }
    this.routes.set(sumTemplates);
    this.refusedPaths.set(sumRefused);
    this.lastSuccess.set(at / 1000);
  }

  stillGood(at: number): void {
    this.lastSuccess.set(at / 1000);
  }
}
