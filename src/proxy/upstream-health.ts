import http from 'node:http';
import https from 'node:https';
import type { Gauge, Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { promGauge } from '../metrics/create-metric.js';
import { UPSTREAM_HEALTH_METRICS } from './upstream-health-metrics.js';

export interface UpstreamHealthState {
  readonly up: boolean;
  /** Epoch ms of the last successful probe, or undefined if none yet. */
  readonly lastOkAt: number | undefined;
  readonly lastCheckAt: number | undefined;
  /** Why the last probe failed, in words. */
  readonly reason: string | undefined;
}

/**
 * Probes the backend in the background and remembers the answer. Nothing on the request or
 * scrape path waits for it: /ready and `sidecar_upstream_up` read the last result. With
 * UPSTREAM_HEALTH_PATH the backend is up when that path answers 2xx or 3xx. Without it the
 * probe asks UPSTREAM_URL itself, and any HTTP answer below 500 means up: a backend nobody
 * modified has no health endpoint, and its 404 for `/` still says it is serving. The state is
 * logged once the first probe has answered, and at every change, with the reason.
 */
export class UpstreamHealth {
  private state: UpstreamHealthState = {
    up: false,
    lastOkAt: undefined,
    lastCheckAt: undefined,
    reason: 'not probed yet',
  };
  private timer: NodeJS.Timeout | undefined;
  private readonly gauge: Gauge;
  private readonly url: URL;
  /** `GET /health`, as the probe appears in reasons. */
  private readonly probeName: string;
  private readonly timeoutMs: number;
  /** Whether a probe has answered yet: the first state is logged whatever it is. */
  private known = false;

  constructor(
    private readonly config: Config['upstream'],
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.url = config.healthPath === undefined ? config.url : new URL(config.healthPath, config.url);
    this.probeName = `GET ${this.url.pathname}${this.url.search}`;
    this.timeoutMs = Math.min(config.healthIntervalMs, 5_000);
    this.gauge = promGauge(registry, UPSTREAM_HEALTH_METRICS.up);
    this.gauge.set(0);
  }

  get current(): UpstreamHealthState {
    return this.state;
  }

  /** Ready means the backend answered a probe within the last three intervals. */
  isReady(now = Date.now()): boolean {
    return (
      this.state.up &&
      this.state.lastOkAt !== undefined &&
      now - this.state.lastOkAt <= this.config.healthIntervalMs * 3
    );
  }

  start(): void {
    const tick = () => {
      this.probe().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.config.healthIntervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private isUp(status: number): boolean {
    return this.config.healthPath === undefined
      ? status >= 100 && status < 500
      : status >= 200 && status < 400;
  }

  /** What counts as up, said after the status in the log. */
  private get rule(): string {
    return this.config.healthPath === undefined
      ? ' (without UPSTREAM_HEALTH_PATH, any answer below 500 means up)'
      : ' (UPSTREAM_HEALTH_PATH must answer 2xx or 3xx)';
  }

  probe(): Promise<UpstreamHealthState> {
    const client = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const started = Date.now();
      const done = (up: boolean, why: string) => {
        const changed = !this.known || this.state.up !== up;
        this.known = true;
        this.state = {
          up,
          lastOkAt: up ? started : this.state.lastOkAt,
          lastCheckAt: started,
          reason: up ? undefined : why,
        };
        this.gauge.set(up ? 1 : 0);
        if (changed) {
          if (up) this.logger.info({ url: this.url.href }, `backend is up: ${why}`);
          else this.logger.warn({ url: this.url.href, reason: why }, `backend is down: ${why}`);
        }
        resolve(this.state);
      };
      const req = client.request(
        this.url,
        {
          method: 'GET',
          agent: false,
          timeout: this.timeoutMs,
          headers: { 'user-agent': 'observability-sidecar-health' },
        },
        (res) => {
          res.resume();
          done(this.isUp(res.statusCode ?? 0), `${this.probeName} answered ${res.statusCode}${this.rule}`);
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        done(false, `${this.probeName} failed: ${error.code ?? ''} ${error.message}`.trim()),
      );
      req.end();
    });
  }
}
