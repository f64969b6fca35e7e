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
 * Probes UPSTREAM_HEALTH_PATH in the background and remembers the answer. Nothing on the
 * request or scrape path waits for it: /ready and `sidecar_upstream_up` read the last result.
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
  private readonly timeoutMs: number;

  constructor(
    private readonly config: Config['upstream'],
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.url = new URL(config.healthPath, config.url);
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

  probe(): Promise<UpstreamHealthState> {
    const client = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const started = Date.now();
      const done = (up: boolean, reason: string | undefined) => {
        const wasUp = this.state.up;
        this.state = { up, lastOkAt: up ? started : this.state.lastOkAt, lastCheckAt: started, reason };
        this.gauge.set(up ? 1 : 0);
        if (wasUp !== up) {
          if (up) this.logger.info({ url: this.url.href }, 'backend is up');
          else this.logger.warn({ url: this.url.href, reason }, 'backend is down');
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
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 400) done(true, undefined);
          else done(false, `GET ${this.config.healthPath} answered ${status}`);
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        done(false, `GET ${this.config.healthPath} failed: ${error.code ?? ''} ${error.message}`.trim()),
      );
      req.end();
    });
  }
}
