import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Histogram, type Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';

export const MEMORY_TRIM_METRIC = 'sidecar_memory_trim_duration_seconds';

/** The start-up trim: once the program is loaded and the servers listen. */
export const STARTUP_TRIM_DELAY_MS = 1000;

/** What the trim watches to tell an idle proxy port: its requests in flight and its count of requests. */
export interface ProxyTraffic {
  inFlight(): number;
  accepted(): number;
}

export interface MemoryTrimOptions {
  /** Quiet time on the proxy port after which the heap is trimmed once; 0 turns trimming off. */
  readonly idleMs: number;
  readonly traffic: ProxyTraffic;
  readonly registry: Registry;
  readonly logger: Logger;
  /** Milliseconds on a monotonic clock; injected by tests. */
  readonly now?: () => number;
}

type GarbageCollector = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8's collector, which it exposes only to contexts created while `--expose-gc` is set: the
 * function comes from a context of its own and the flag is set back, so the program's global
 * never has a `gc`.
 */
function garbageCollector(): GarbageCollector | undefined {
  if (typeof globalThis.gc === 'function') return globalThis.gc as unknown as GarbageCollector;
  v8.setFlagsFromString('--expose-gc');
  try {
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? (gc as GarbageCollector) : undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Gives memory the sidecar no longer uses back to the system when its proxy port is idle.
 *
 * V8 keeps what the heap grew to: loading the program leaves its young generation at full size
 * and the old one holding start-up garbage, and Node 24's V8 never runs its own memory reducer
 * in a process that has not collected since (it judges the allocation rate from the last
 * collections, which were start-up's). An idle sidecar therefore stayed at ~90 MB resident.
 * A collection that shrinks the heap (V8's "last resort" one: full collections until nothing
 * more is freed, young generation shrunk to its minimum, pooled pages released) takes it to
 * ~80 MB, measured in docs/PERFORMANCE.md. It pauses the process for 15–30 ms, so it runs only
 * when nothing is in flight: once after start-up, and after every period of `idleMs` without a
 * proxied request, never twice in the same quiet period. Scrapes and ingest requests on the
 * admin port do not count as traffic; one that arrives during a trim waits for it.
 */
export class MemoryTrim {
  private readonly duration: Histogram;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private startupTimer: NodeJS.Timeout | undefined;
  private gc: GarbageCollector | undefined | null = null;
  private seen: number;
  private quietSince: number;
  /** Traffic since the last trim: the next quiet period ends in one. */
  private pending = false;
  private trims = 0;

  constructor(private readonly options: MemoryTrimOptions) {
    this.now = options.now ?? (() => performance.now());
    this.seen = options.traffic.accepted();
    this.quietSince = this.now();
    this.duration = new Histogram({
      name: MEMORY_TRIM_METRIC,
      help: "Pauses of the collections that give the sidecar's unused heap memory back to the system when its proxy port is idle (count: trims).",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
      registers: [options.registry],
    });
  }

  get enabled(): boolean {
    return this.options.idleMs > 0;
  }

  start(): void {
    if (!this.enabled || this.timer) return;
    this.startupTimer = setTimeout(() => {
      // Already busy, or trimmed after an earlier quiet period: the idle rule takes over.
      if (this.trims > 0) return;
      if (this.options.traffic.inFlight() > 0) this.pending = true;
      else this.trim('start-up');
    }, STARTUP_TRIM_DELAY_MS);
    this.startupTimer.unref();
    // Comparing two counters a few times per quiet period costs nothing measurable.
    const tickMs = Math.max(50, Math.min(1000, Math.floor(this.options.idleMs / 4)));
    this.timer = setInterval(() => this.check(), tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.startupTimer);
    this.timer = undefined;
    this.startupTimer = undefined;
  }

  /** One look at the proxy port (the timer calls it): trims when a quiet period has lasted `idleMs`. */
  check(): void {
    const { traffic, idleMs } = this.options;
    const accepted = traffic.accepted();
    const now = this.now();
    if (accepted !== this.seen || traffic.inFlight() > 0) {
      this.seen = accepted;
      this.quietSince = now;
      this.pending = true;
      return;
    }
    if (this.pending && now - this.quietSince >= idleMs) {
      this.pending = false;
      this.trim('idle');
    }
  }

  /** One heap-shrinking collection, measured and logged; never throws. */
  trim(reason: 'start-up' | 'idle'): void {
    const { logger } = this.options;
    try {
      if (this.gc === null) this.gc = garbageCollector();
      if (this.gc === undefined) {
        logger.warn('memory trim unavailable: this Node.js does not expose its garbage collector');
        this.stop();
        return;
      }
      this.trims++;
      const before = process.memoryUsage();
      const started = this.now();
      this.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      const seconds = (this.now() - started) / 1000;
      this.duration.observe(seconds);
      const after = process.memoryUsage();
      logger.debug(
        {
          reason,
          pause_ms: Math.round(seconds * 10_000) / 10,
          heap_before_bytes: before.heapTotal,
          heap_after_bytes: after.heapTotal,
          rss_before_bytes: before.rss,
          rss_after_bytes: after.rss,
        },
        'memory trimmed',
      );
    } catch (error) {
      logger.warn({ err: error }, 'memory trim failed; trimming stops');
      this.stop();
    }
  }
}
