import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { renderMetrics } from '../../../src/metrics/exposition.js';
import { type Collector, CollectorScheduler } from '../../../src/system/scheduler.js';
import { COLLECTOR_METRICS } from '../../../src/system/scheduler-metrics.js';
import { snapshotGauge } from '../../../src/system/snapshot-metric.js';
import { parseMetrics, valueOf } from '../../helpers/prometheus-text.js';
import { captureLogs } from '../../helpers/sidecar.js';

/** A collector that counts its runs and exposes the count as a gauge, like the real ones do. */
function countingCollector(registry: Registry, name: string): Collector & { runs: number } {
  const collector = {
    name,
    runs: 0,
    async collect() {
      collector.runs++;
    },
  };
  snapshotGauge(registry, { name: `test_${name}_runs`, type: 'gauge', help: 'runs', labelNames: [] }, () => [
    [{}, collector.runs],
  ]);
  return collector;
}

describe('CollectorScheduler', () => {
  let scheduler: CollectorScheduler | undefined;
  afterEach(() => scheduler?.stop());

  it('pre-initialises the error counter at 0 for every collector', async () => {
    const registry = new Registry();
    const { logger } = captureLogs();
    scheduler = new CollectorScheduler(
      [countingCollector(registry, 'a'), countingCollector(registry, 'b')],
      { intervalMs: 1000, timeoutMs: 100 },
      registry,
      logger,
    );
    const samples = parseMetrics(await renderMetrics(registry, 'prometheus'));
    expect(valueOf(samples, COLLECTOR_METRICS.errors.name, { collector: 'a' })).toBe(0);
    expect(valueOf(samples, COLLECTOR_METRICS.errors.name, { collector: 'b' })).toBe(0);
  });

  it('counts a throwing collector every run, logs it once, and logs the recovery once', async () => {
    const registry = new Registry();
    const { logger, logs } = captureLogs();
    let broken = true;
    const flaky: Collector = {
      name: 'flaky',
      async collect() {
        if (broken) throw new Error('kaputt');
      },
    };
    // A synchronous throw is handled the same way.
    const throwsSync: Collector = {
      name: 'sync',
      collect() {
        throw new Error('synchronously kaputt');
      },
    };
    scheduler = new CollectorScheduler(
      [flaky, throwsSync],
      { intervalMs: 30, timeoutMs: 20 },
      registry,
      logger,
    );
    scheduler.start();
    await sleep(200);
    broken = false;
    await sleep(100);
    const samples = parseMetrics(await renderMetrics(registry, 'prometheus'));
    expect(valueOf(samples, COLLECTOR_METRICS.errors.name, { collector: 'flaky' })).toBeGreaterThanOrEqual(4);
    expect(valueOf(samples, COLLECTOR_METRICS.errors.name, { collector: 'sync' })).toBeGreaterThanOrEqual(4);
    const failures = logs.lines.filter((l) => l.collector === 'flaky' && l.level === 'warn');
    expect(failures).toHaveLength(1);
    expect(String(failures[0]!.msg)).toContain('kaputt');
    expect(logs.lines.filter((l) => l.collector === 'flaky' && l.level === 'info')).toHaveLength(1);
    expect(logs.lines.filter((l) => l.collector === 'sync' && l.level === 'warn')).toHaveLength(1);
  });

  it('a collector that never settles is timed out, never run twice at once, and does not hold up the others', async () => {
    const registry = new Registry();
    const { logger, logs } = captureLogs();
    let started = 0;
    const stuck: Collector = {
      name: 'stuck',
      collect: () => {
        started++;
        return new Promise<void>(() => {});
      },
    };
    const healthy = countingCollector(registry, 'healthy');
    scheduler = new CollectorScheduler([stuck, healthy], { intervalMs: 40, timeoutMs: 20 }, registry, logger);
    scheduler.start();
    await sleep(400);

    expect(started).toBe(1);
    expect(healthy.runs).toBeGreaterThanOrEqual(6);
    const t0 = performance.now();
    const text = await renderMetrics(registry, 'prometheus');
    expect(performance.now() - t0).toBeLessThan(50);
    const samples = parseMetrics(text);
    expect(valueOf(samples, COLLECTOR_METRICS.errors.name, { collector: 'stuck' })).toBeGreaterThanOrEqual(5);
    expect(valueOf(samples, COLLECTOR_METRICS.errors.name, { collector: 'healthy' })).toBe(0);
    expect(valueOf(samples, 'test_healthy_runs')).toBe(healthy.runs);
    expect(logs.lines.filter((l) => l.collector === 'stuck' && l.level === 'warn')).toHaveLength(1);
  });

  it('aborts the signal of a run that exceeds its timeout, so cancellable I/O stops', async () => {
    const registry = new Registry();
    const { logger } = captureLogs();
    let abortedWith: unknown;
    const slow: Collector = {
      name: 'slow',
      collect: (signal) =>
        new Promise<void>((_, reject) => {
          signal.addEventListener('abort', () => {
            abortedWith = signal.reason;
            reject(signal.reason);
          });
        }),
    };
    scheduler = new CollectorScheduler([slow], { intervalMs: 1000, timeoutMs: 30 }, registry, logger);
    await scheduler.runOnce();
    expect(String(abortedWith)).toMatch(/did not finish within 30 ms/);
  });

  it('stops: no more runs, and the stop hook of each collector is called', async () => {
    const registry = new Registry();
    const { logger } = captureLogs();
    const collector = countingCollector(registry, 'c');
    let stopped = false;
    scheduler = new CollectorScheduler(
      [
        {
          ...collector,
          collect: (signal) => collector.collect(signal),
          stop: () => {
            stopped = true;
          },
        },
      ],
      { intervalMs: 20, timeoutMs: 10 },
      registry,
      logger,
    );
    scheduler.start();
    await sleep(80);
    scheduler.stop();
    const runs = collector.runs;
    await sleep(80);
    expect(collector.runs).toBe(runs);
    expect(stopped).toBe(true);
  });
});
