import type { Counter, Gauge, Registry } from 'prom-client';
import { promCounter, promGauge } from '../metrics/create-metric.js';
import type { CounterDeclaration, GaugeDeclaration } from '../metrics/declaration.js';

/**
 * Metric families whose samples come from a collector's last snapshot. prom-client calls
 * `collect()` on every scrape; here it only copies cached numbers, so a scrape never waits for
 * /proc, a disk or a TLS handshake, however slow those are at that moment.
 */

export type Labels = Readonly<Record<string, string>>;
export type Sample = readonly [labels: Labels, value: number];

/** A gauge showing exactly the samples `read` returns: no snapshot, no samples. */
export function snapshotGauge(
  registry: Registry,
  declaration: GaugeDeclaration,
  read: () => Iterable<Sample>,
): Gauge {
  const labelless = declaration.labelNames.length === 0;
  return promGauge(registry, declaration, function () {
    this.reset();
    // reset() leaves a 0 on a gauge without labels; a value that is unknown must not read as 0.
    if (labelless) this.remove();
    for (const [labels, value] of read()) if (Number.isFinite(value)) this.set({ ...labels }, value);
  });
}

/** A counter whose values are cumulative totals kept by the kernel (or by a collector), copied as they are. */
export function snapshotCounter(
  registry: Registry,
  declaration: CounterDeclaration,
  read: () => Iterable<Sample>,
): Counter {
  const labelless = declaration.labelNames.length === 0;
  return promCounter(registry, declaration, function () {
    this.reset();
    if (labelless) this.remove();
    for (const [labels, value] of read()) {
      if (Number.isFinite(value) && value >= 0) this.inc({ ...labels }, value);
    }
  });
}
