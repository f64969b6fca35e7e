import { performance } from 'node:perf_hooks';
import type { Counter, Gauge, Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';
import { promCounter, promGauge } from '../metrics/create-metric.js';
import { COLLECTOR_METRICS } from './scheduler-metrics.js';

/** One background collector: reads the system and replaces the values its metrics show. */
export interface Collector {
  /** The `collector` label value. */
  readonly name: string;
  /**
   * One collection. Rejects on failure; may keep the values it did read. The signal aborts when
   * the run exceeds its timeout or the scheduler stops; I/O that can be cancelled should honour it.
   */
  collect(signal: AbortSignal): Promise<void>;
  /** Releases what the collector holds between runs (file descriptors, timers). */
  stop?(): void;
}

export interface SchedulerOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

interface CollectorState {
  readonly collector: Collector;
  timer: NodeJS.Timeout | undefined;
  /** The run still in progress, also after its timeout fired: a new run never starts beside it. */
  inFlight: Promise<void> | undefined;
  controller: AbortController | undefined;
  failing: boolean;
}

class CollectorTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CollectorTimeout';
  }
}

/**
 * Runs each collector on its own timer, every interval, off the request and scrape paths.
 *
 * - A run that exceeds the timeout is abandoned and counted; the collector's metrics keep their
 *   last values and other collectors are not delayed.
 * - A run that never settles (a statfs on a dead NFS mount occupies a libuv thread for good) is
 *   never started a second time beside itself, so one bad mount cannot exhaust the thread pool
 *   that DNS and file I/O of the proxy share. Each interval it is still stuck counts as an error.
 * - A failure is logged once, then again only after the collector has recovered.
 */
export class CollectorScheduler {
  private readonly states: CollectorState[];
  private readonly errors: Counter;
  private readonly duration: Gauge;
  private readonly lastSuccess: Gauge;
  private running = false;
  private stopped = false;

  constructor(
    collectors: readonly Collector[],
    private readonly options: SchedulerOptions,
    registry: Registry,
    private readonly logger: Logger,
  ) {
    this.states = collectors.map((collector) => ({
      collector,
      timer: undefined,
      inFlight: undefined,
      controller: undefined,
      failing: false,
    }));
    this.errors = promCounter(registry, COLLECTOR_METRICS.errors);
    this.duration = promGauge(registry, COLLECTOR_METRICS.duration);
    this.lastSuccess = promGauge(registry, COLLECTOR_METRICS.lastSuccess);
    for (const { collector } of this.states) this.errors.inc({ collector: collector.name }, 0);
  }

  /** Starts every collector now, then every interval. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    for (const state of this.states) state.timer = setTimeout(() => this.tick(state), 0).unref();
  }

  /** Stops the timers and aborts runs in progress; never waits for a stuck one. */
  stop(): void {
    this.running = false;
    this.stopped = true;
    for (const state of this.states) {
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      state.controller?.abort(new CollectorTimeout('the sidecar is stopping'));
      try {
        state.collector.stop?.();
      } catch (error) {
        this.logger.warn(
          { collector: state.collector.name, err: error },
          'system-metric collector failed to stop',
        );
      }
    }
  }

  /**
   * Runs every collector once, concurrently; resolves when all have finished or timed out. A
   * collector already running on its timer is waited for (up to the timeout), not run beside itself.
   */
  async runOnce(): Promise<void> {
    await Promise.all(
      this.states.map(async (state) => {
        if (!state.inFlight) return this.run(state);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          state.inFlight.catch(() => undefined),
          new Promise((resolve) => {
            timer = setTimeout(resolve, this.options.timeoutMs);
          }),
        ]);
        clearTimeout(timer);
      }),
    );
  }

  private async tick(state: CollectorState): Promise<void> {
    const started = performance.now();
    await this.run(state);
    if (!this.running) return;
    const delay = Math.max(0, this.options.intervalMs - (performance.now() - started));
    state.timer = setTimeout(() => this.tick(state), delay).unref();
  }

  private async run(state: CollectorState): Promise<void> {
    const name = state.collector.name;
    if (state.inFlight) {
      this.failed(state, new CollectorTimeout(`the previous run has still not finished`));
      return;
    }
    const controller = new AbortController();
    state.controller = controller;
    const started = performance.now();
    // Promise.resolve().then() turns a synchronous throw into a rejection like any other.
    const run = Promise.resolve().then(() => state.collector.collect(controller.signal));
    state.inFlight = run;
    run.then(
      () => this.settled(state, run),
      () => this.settled(state, run),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new CollectorTimeout(`did not finish within ${this.options.timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, this.options.timeoutMs);
    });
    try {
      await Promise.race([run, timeout]);
      this.lastSuccess.set({ collector: name }, Date.now() / 1000);
      if (state.failing) {
        state.failing = false;
        this.logger.info({ collector: name }, `system-metric collector "${name}" recovered`);
      }
    } catch (error) {
      this.failed(state, error);
    } finally {
      clearTimeout(timer);
      this.duration.set({ collector: name }, (performance.now() - started) / 1000);
      if (state.controller === controller) state.controller = undefined;
    }
  }

  private settled(state: CollectorState, run: Promise<void>): void {
    if (state.inFlight === run) state.inFlight = undefined;
  }

  private failed(state: CollectorState, error: unknown): void {
    if (this.stopped) return;
    const name = state.collector.name;
    this.errors.inc({ collector: name });
    if (state.failing) return;
    state.failing = true;
    this.logger.warn(
      { collector: name, err: error },
      `system-metric collector "${name}" failed: ${(error as Error)?.message ?? String(error)}; ` +
        'its metrics keep their last values, retrying every interval (logged again only after it recovers)',
    );
  }
}
