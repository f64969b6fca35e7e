import { Counter, Gauge, type Registry } from 'prom-client';

/** Metric names, documented in docs/METRICS.md. */
export const OPENAPI_METRICS = Object.freeze({
  loads: 'sidecar_openapi_loads_total',
  routes: 'sidecar_openapi_routes',
  refusedPaths: 'sidecar_openapi_refused_paths',
  lastSuccess: 'sidecar_openapi_last_success_timestamp_seconds',
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
    const registers = [registry];
    this.loads = new Counter({
      name: OPENAPI_METRICS.loads,
      help: "Looks for the backend's OpenAPI document, by outcome.",
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of LOAD_OUTCOMES) this.loads.inc({ outcome }, 0);
    this.routes = new Gauge({
      name: OPENAPI_METRICS.routes,
      help: 'Route templates taken from the OpenAPI document in force; 0 before one loaded.',
      registers,
    });
    this.refusedPaths = new Gauge({
      name: OPENAPI_METRICS.refusedPaths,
      help: 'Paths of the OpenAPI document in force that are not path templates and were left out.',
      registers,
    });
    this.lastSuccess = new Gauge({
      name: OPENAPI_METRICS.lastSuccess,
      help: 'Unix time of the last look that found a good OpenAPI document (new or unchanged); 0 before one.',
      registers,
    });
    this.routes.set(0);
    this.refusedPaths.set(0);
    this.lastSuccess.set(0);
  }

  loaded(outcome: LoadOutcome): void {
    this.loads.inc({ outcome });
  }

  inForce(templates: number, refusedPaths: number, at: number): void {
    this.routes.set(templates);
    this.refusedPaths.set(refusedPaths);
    this.lastSuccess.set(at / 1000);
  }

  stillGood(at: number): void {
    this.lastSuccess.set(at / 1000);
  }
}
