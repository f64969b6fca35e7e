import type { RoutePattern } from '../config/route-pattern.js';
import { templateRoute } from './route-template.js';

/** Route label for 404s on shapes the backend never answered otherwise (scanners, typos). */
export const ROUTE_NOT_FOUND = '__not_found__';
/** Route label once MAX_ROUTES distinct routes exist. */
export const ROUTE_OVERFLOW = '__overflow__';
/** Route label for a never-confirmed shape that got no backend answer (the backend was down, the client left). */
export const ROUTE_UNCONFIRMED = '__unconfirmed__';

/** How many raw paths keep their template cached; a scan of random paths only refills the cache. */
const TEMPLATE_CACHE_SIZE = 4096;

/**
 * Decides the `http_route` label of each request, keeping the number of distinct values below
 * MAX_ROUTES for the life of the process.
 *
 * A templated shape earns its own label only when the backend answers it with something other
 * than 404, so probes for `/wp-login.php` and friends never mint series. Operator patterns are
 * admitted up front.
 */
export class RouteBudget {
  private readonly admitted = new Set<string>();
  private readonly cache = new Map<string, { template: string; declared: boolean }>();

  constructor(
    private readonly patterns: readonly RoutePattern[],
    private readonly maxRoutes: number,
    private readonly onOverflow: (template: string) => void,
  ) {
    for (const pattern of patterns) this.admitted.add(pattern.template);
  }

  get size(): number {
    return this.admitted.size;
  }

  /** The template of a request target, before any backend answer. */
  template(target: string): { template: string; declared: boolean } {
    let hit = this.cache.get(target);
    if (hit === undefined) {
      hit = templateRoute(target, this.patterns);
      if (this.cache.size >= TEMPLATE_CACHE_SIZE) this.cache.clear();
      this.cache.set(target, hit);
    }
    return hit;
  }

  /**
   * The label to record for a finished request. `backendStatus` is the status the backend
   * answered, or undefined when it never answered (upstream failure, client gone first).
   */
  label(route: { template: string; declared: boolean }, backendStatus: number | undefined): string {
    const { template } = route;
    if (route.declared || this.admitted.has(template)) return template;
    if (backendStatus === undefined) return ROUTE_UNCONFIRMED;
    if (backendStatus === 404) return ROUTE_NOT_FOUND;
    if (this.admitted.size >= this.maxRoutes) {
      this.onOverflow(template);
      return ROUTE_OVERFLOW;
    }
    this.admitted.add(template);
    return template;
  }
}
