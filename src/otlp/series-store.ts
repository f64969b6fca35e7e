import { addBuckets, type SeriesData } from './point-data.js';
import { PointRefusal } from './refusal.js';

/**
 * The OTLP series the sidecar exposes: families by Prometheus name, each with its series by
 * label set. It holds the budgets (OTLP_MAX_SERIES in all, OTLP_MAX_SERIES_PER_METRIC per
 * family), turns delta points into cumulative values, and forgets a series not updated for
 * OTLP_SERIES_TTL_S, so a restarted backend's old series leave /metrics. A family keeps the
 * type, unit and OpenTelemetry name it was first seen with; a point that disagrees is refused.
 */
export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface FamilyKey {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
  /** The OpenTelemetry name and unit it came from. */
  readonly source: string;
  readonly unit: string;
}

export interface Series {
  /** Label pairs, sorted by name. */
  readonly labels: ReadonlyArray<readonly [string, string]>;
  data: SeriesData;
  updatedAt: number;
}

export interface Family extends FamilyKey {
  readonly series: Map<string, Series>;
}

export interface StoreLimits {
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
  readonly ttlMs: number;
}

function seriesKey(labels: ReadonlyArray<readonly [string, string]>): string {
  let key = '';
  for (const [name, value] of labels) key += `${name}\u0000${value}\u0001`;
  return key;
}

export class SeriesStore {
  private readonly families = new Map<string, Family>();
  private total = 0;

  constructor(
    private readonly limits: StoreLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.total;
  }

  get limit(): number {
    return this.limits.maxSeries;
  }

  family(name: string): Family | undefined {
    return this.families.get(name);
  }

  all(): IterableIterator<Family> {
    return this.families.values();
  }

  /**
   * Records one point. `delta` adds it to what the series holds (counters, up-down counters
   * and histograms in delta temporality); otherwise it replaces it. Throws a PointRefusal.
   */
  record(
    key: FamilyKey,
    labels: ReadonlyArray<readonly [string, string]>,
    data: SeriesData,
    delta: boolean,
  ): void {
    let family = this.families.get(key.name);
    if (
      family !== undefined &&
      (family.type !== key.type || family.unit !== key.unit || family.source !== key.source)
    ) {
      throw new PointRefusal(
        'type_changed',
        `${key.name} is already ${family.type} ${family.source} in unit "${family.unit}"; a metric keeps its name, type and unit`,
      );
    }
    const id = seriesKey(labels);
    const held = family?.series.get(id);
    if (held === undefined) {
      if (this.total >= this.limits.maxSeries)
        throw new PointRefusal(
          'series_budget',
          `the sidecar holds OTLP_MAX_SERIES (${this.limits.maxSeries}) series`,
        );
      if (family !== undefined && family.series.size >= this.limits.maxSeriesPerMetric)
        throw new PointRefusal(
          'metric_series_budget',
          `${key.name} has OTLP_MAX_SERIES_PER_METRIC (${this.limits.maxSeriesPerMetric}) series; an attribute has too many values`,
        );
      if (family === undefined) {
        family = { ...key, series: new Map() };
        this.families.set(key.name, family);
      }
      family.series.set(id, { labels, data, updatedAt: this.now() });
      this.total++;
      return;
    }
    held.data = delta ? accumulate(held.data, data) : data;
    held.updatedAt = this.now();
  }

  /** A point flagged "no recorded value": its series is gone. */
  forget(name: string, labels: ReadonlyArray<readonly [string, string]>): void {
    const family = this.families.get(name);
    if (family?.series.delete(seriesKey(labels))) {
      this.total--;
      if (family.series.size === 0) this.families.delete(name);
    }
  }

  /** Forgets series not updated within the TTL, and families left empty. Returns how many went. */
  sweep(): number {
    const oldest = this.now() - this.limits.ttlMs;
    let gone = 0;
    for (const [name, family] of this.families) {
      for (const [id, series] of family.series) {
        if (series.updatedAt < oldest) {
          family.series.delete(id);
          gone++;
        }
      }
      if (family.series.size === 0) this.families.delete(name);
    }
    this.total -= gone;
    return gone;
  }
}

function accumulate(held: SeriesData, delta: SeriesData): SeriesData {
  if (held.kind === 'number' && delta.kind === 'number')
    return { kind: 'number', value: held.value + delta.value };
  if (held.kind === 'buckets' && delta.kind === 'buckets') return addBuckets(held, delta);
  return delta;
}
