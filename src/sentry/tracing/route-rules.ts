import { matchesRoutePattern, type RoutePattern } from '../../config/routes.js';
import type { RouteSampleRate } from '../../config/sentry.js';

/** How requests on one route template are traced. */
export interface RouteRule {
  /** False on excluded routes: no span, trace headers left as the client sent them. */
  readonly traced: boolean;
  /** The sample rate for new traces starting on this route. */
  readonly rate: number;
  /** The template, URI-encoded once for the `sentry-transaction` baggage entry. */
  readonly encodedTemplate: string;
}

/** Templates remembered; their number is bounded by the route templating, this is a backstop. */
const CACHE_SIZE = 4096;

/**
 * Route exclusions and per-route sample rates, matched against the request's route template
 * (`/api/users/:id`), never the raw path, and cached per template: the per-request cost is one
 * Map lookup.
 */
export class RouteRules {
  private readonly cache = new Map<string, RouteRule>();

  constructor(
    private readonly excluded: readonly RoutePattern[],
    private readonly rates: readonly RouteSampleRate[],
    private readonly defaultRate: number,
  ) {}

  ruleFor(template: string): RouteRule {
    let rule = this.cache.get(template);
    if (rule === undefined) {
      rule = this.compute(template);
      if (this.cache.size >= CACHE_SIZE) this.cache.clear();
      this.cache.set(template, rule);
    }
    return rule;
  }

  private compute(template: string): RouteRule {
    const segments = template.split('/').filter((s) => s !== '');
    const encodedTemplate = encodeURIComponent(template);
    if (this.excluded.some((p) => matchesRoutePattern(p, segments)))
      return { traced: false, rate: 0, encodedTemplate };
    const rate = this.rates.find((r) => matchesRoutePattern(r.pattern, segments))?.rate ?? this.defaultRate;
    return { traced: true, rate, encodedTemplate };
  }
}
