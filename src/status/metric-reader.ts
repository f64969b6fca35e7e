import type { Registry } from 'prom-client';

/** One series of a metric as /metrics would show it. */
export interface Reading {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/**
 * The status page reads its counters and gauges from the same Registry /metrics renders, so
 * what it shows agrees with a scrape made at the same moment: no second set of counters to
 * drift. Reading runs the metrics' collect functions, as a scrape does.
 */
export class MetricReader {
  constructor(private readonly registry: Registry) {}

  /** Every series of `name`; none when the metric is not registered (its collector is off). */
  async read(name: string): Promise<Reading[]> {
    const metric = this.registry.getSingleMetric(name);
    if (metric === undefined) return [];
    const { values } = await metric.get();
    return values.map((v) => ({ labels: v.labels as Reading['labels'], value: v.value }));
  }

  /** The value of the one series whose labels include `match`, or null when there is none. */
  async value(name: string, match: Readonly<Record<string, string>> = {}): Promise<number | null> {
    const found = (await this.read(name)).find((r) => matches(r, match));
    return found === undefined ? null : found.value;
  }
}

export function matches(reading: Reading, match: Readonly<Record<string, string>>): boolean {
  for (const key in match) if (String(reading.labels[key]) !== match[key]) return false;
  return true;
}

/** Sums by the value of one label, leaving out zeros: `{ timeout: 3, connection_refused: 1 }`. */
export function byLabel(readings: readonly Reading[], label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of readings) {
    if (r.value === 0) continue;
    const key = String(r.labels[label]);
    out[key] = (out[key] ?? 0) + r.value;
  }
  return out;
}
