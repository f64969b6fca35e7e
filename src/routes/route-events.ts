import type { Logger } from '../log/logger.js';

/** At most one log line per this interval about route labels, whatever the traffic. */
export const ROUTE_LOG_INTERVAL_MS = 60_000;

/**
 * Logs overflows and evictions as counts, at most one line per interval: a scan that overflows
 * the budget a million times writes one line a minute, not a million.
 */
export class RouteEventLog {
  private overflowed = 0;
  private lastOverflow: string | undefined;
  private evictedIdle = 0;
  private folded = 0;
  private nextLine = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: Logger | undefined,
    private readonly intervalMs: number,
    private readonly maxRoutes: number,
  ) {}

  overflow(template: string, now: number): void {
    this.overflowed++;
    this.lastOverflow = template;
    this.flush(now);
  }

  evicted(reason: 'idle' | 'folded', now: number): void {
    if (reason === 'idle') this.evictedIdle++;
    else this.folded++;
    this.flush(now);
  }

  /** Writes the counts gathered since the last line, if the interval allows one. */
  flush(now: number): void {
    if (now < this.nextLine || this.overflowed + this.evictedIdle + this.folded === 0) return;
    this.nextLine = now + this.intervalMs;
    const fields = {
      overflowed: this.overflowed,
      evicted_idle: this.evictedIdle,
      folded: this.folded,
      max_routes: this.maxRoutes,
      ...(this.lastOverflow === undefined ? {} : { last_overflowed_template: this.lastOverflow }),
    };
    if (this.overflowed > 0) {
      this.logger?.warn(
        fields,
        `${this.overflowed} requests recorded as __overflow__: MAX_ROUTES learned routes are in use (declare routes in an OpenAPI document or ROUTE_PATTERNS, or raise MAX_ROUTES)`,
      );
    } else {
      this.logger?.info(fields, 'route labels given back: idle, or folded into a {param} template');
    }
    this.overflowed = 0;
    this.lastOverflow = undefined;
    this.evictedIdle = 0;
    this.folded = 0;
  }
}
