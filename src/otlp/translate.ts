import { labelsOf } from './attributes.js';
import { metricName } from './names.js';
import {
  CUMULATIVE,
  DELTA,
  type ExportRequest,
  type KeyValue,
  NO_RECORDED_VALUE,
  type OtlpMetric,
} from './otlp-types.js';
import { explicitBuckets, exponentialBuckets, numberOf, type SeriesData, summaryOf } from './point-data.js';
import { PointRefusal, type RefusalReason } from './refusal.js';
import type { FamilyKey, FamilyType, SeriesStore } from './series-store.js';

/**
 * An ExportMetricsServiceRequest into the series store, point by point, as the OpenTelemetry
 * Prometheus compatibility specification maps it: `service.namespace`/`service.name` become
 * `job`, `service.instance.id` becomes `instance`, the other resource attributes go to
 * `target_info`, the scope's name and version to `otel_scope_name`/`otel_scope_version`. One
 * bad point is refused alone; the others of its request are kept.
 */

/** A family the sidecar already has under that name (its own, or one the event catalog records). */
export interface ExistingFamily {
  readonly type: string;
  readonly buckets?: readonly number[] | undefined;
  /** True for an event-catalog family an OTLP metric may share when type and buckets agree. */
  readonly shared: boolean;
}

export interface TranslateResult {
  accepted: number;
  rejected: number;
  /** Per reason: how many, and the first message. */
  readonly reasons: Map<RefusalReason, { count: number; message: string }>;
}

/** Points translated between two turns of the event loop: about a quarter of a millisecond. */
const SLICE_POINTS = 200;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const byLabelName = (a: readonly [string, string], b: readonly [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

/** Labels the translation sets; an attribute of the same name is exported as `exported_<name>`. */
const RESERVED = new Set(['job', 'instance', 'otel_scope_name', 'otel_scope_version', 'le', 'quantile']);
const RESOURCE_AS_LABELS = new Set(['service.name', 'service.namespace', 'service.instance.id']);
/** job and instance are names the backend chose, not data: longer ones are cut. */
const MAX_TARGET_LABEL = 200;

function attr(attributes: readonly KeyValue[] | undefined, key: string): string | undefined {
  const value = attributes?.find((kv) => kv.key === key)?.value?.stringValue;
  return value === undefined || value === '' ? undefined : value.slice(0, MAX_TARGET_LABEL);
}

function kindOf(metric: OtlpMetric): FamilyType | undefined {
  if (metric.gauge) return 'gauge';
  if (metric.sum) return metric.sum.isMonotonic ? 'counter' : 'gauge';
  if (metric.histogram || metric.exponentialHistogram) return 'histogram';
  if (metric.summary) return 'summary';
  return undefined;
}

type Point = { attributes?: KeyValue[]; flags?: number };

function pointsOf(metric: OtlpMetric): { points: Point[]; temporality?: number | undefined } {
  const data =
    metric.gauge ?? metric.sum ?? metric.histogram ?? metric.exponentialHistogram ?? metric.summary;
  const temporality = (metric.sum ?? metric.histogram ?? metric.exponentialHistogram)?.aggregationTemporality;
  return { points: data?.dataPoints ?? [], temporality };
}

function dataOf(metric: OtlpMetric, point: Point): SeriesData {
  if (metric.gauge) return { kind: 'number', value: numberOf(point, false) };
  if (metric.sum) return { kind: 'number', value: numberOf(point, metric.sum.isMonotonic === true) };
  if (metric.histogram) return explicitBuckets(point);
  if (metric.exponentialHistogram) return exponentialBuckets(point);
  return summaryOf(point);
}

export interface TranslatorHooks {
  /** The family the sidecar already has under a Prometheus name, if any. */
  readonly existing: (name: string) => ExistingFamily | undefined;
  /** A resource attribute left out of target_info by a label guard. */
  readonly resourceAttributeDropped: (reason: RefusalReason) => void;
}

/** A histogram shares an event-catalog family only on the same buckets. */
function sharing(family: FamilyKey, buckets: readonly number[], data: SeriesData): void {
  if (data.kind !== 'buckets') return;
  const same = buckets.length === data.bounds.length && buckets.every((b, i) => b === data.bounds[i]);
  if (!same)
    throw new PointRefusal(
      'name_clash',
      `${family.name} is the event catalog's histogram with buckets ${buckets.join(', ')}; send ${family.source} with those bounds (an SDK View) or another name`,
    );
}

export class Translator {
  private readonly existing: TranslatorHooks['existing'];

  constructor(
    private readonly store: SeriesStore,
    private readonly hooks: TranslatorHooks,
  ) {
    this.existing = hooks.existing;
  }

  /**
   * Records a request's points, giving the event loop a turn after every SLICE_POINTS points or
   * so (at a metric's end): a batch of thousands never holds proxied requests for its whole
   * translation.
   */
  async translate(request: ExportRequest): Promise<TranslateResult> {
    const result: TranslateResult = { accepted: 0, rejected: 0, reasons: new Map() };
    let sinceTurn = 0;
    const refuse = (refusal: PointRefusal, points: number) => {
      result.rejected += points;
      const seen = result.reasons.get(refusal.reason);
      if (seen) seen.count += points;
      else result.reasons.set(refusal.reason, { count: points, message: refusal.message });
    };
    for (const rm of request.resourceMetrics ?? []) {
      const attributes = rm.resource?.attributes;
      const name = attr(attributes, 'service.name') ?? 'unknown_service';
      const namespace = attr(attributes, 'service.namespace');
      const target: Array<[string, string]> = [['job', namespace ? `${namespace}/${name}` : name]];
      const instance = attr(attributes, 'service.instance.id');
      if (instance !== undefined) target.push(['instance', instance]);
      this.targetInfo(target, attributes);
      for (const sm of rm.scopeMetrics ?? []) {
        const scope: Array<[string, string]> = [];
        if (sm.scope?.name) scope.push(['otel_scope_name', sm.scope.name.slice(0, MAX_TARGET_LABEL)]);
        if (sm.scope?.version)
          scope.push(['otel_scope_version', sm.scope.version.slice(0, MAX_TARGET_LABEL)]);
        for (const metric of sm.metrics ?? []) {
          sinceTurn += this.metric(metric, [...target, ...scope], result, refuse);
          if (sinceTurn >= SLICE_POINTS) {
            sinceTurn = 0;
            await nextTurn();
          }
        }
      }
    }
    return result;
  }

  private metric(
    metric: OtlpMetric,
    fixed: ReadonlyArray<readonly [string, string]>,
    result: TranslateResult,
    refuse: (refusal: PointRefusal, points: number) => void,
  ): number {
    const { points, temporality } = pointsOf(metric);
    if (points.length === 0) return 0;
    const type = kindOf(metric);
    const source = metric.name ?? '';
    const unit = metric.unit ?? '';
    const name = type === undefined ? '' : metricName(source, unit, type);
    const problem = this.check(metric, type, name, temporality);
    if (problem !== undefined) {
      refuse(problem, points.length);
      return points.length;
    }
    const family: FamilyKey = {
      name,
      type: type!,
      help: metric.description?.replace(/\s+/g, ' ').trim() || `OTLP metric ${source}`,
      source,
      unit,
    };
    const buckets = this.existing(family.name)?.buckets;
    for (const point of points) {
      try {
        const labels = this.labels(point, fixed);
        if (((point.flags ?? 0) & NO_RECORDED_VALUE) !== 0) {
          this.store.forget(family.name, labels);
        } else {
          const data = dataOf(metric, point);
          if (buckets !== undefined) sharing(family, buckets, data);
          this.store.record(family, labels, data, temporality === DELTA);
        }
        result.accepted++;
      } catch (error) {
        if (!(error instanceof PointRefusal)) throw error;
        refuse(error, 1);
      }
    }
    return points.length;
  }

  /** What is wrong with a metric as a whole, if anything. */
  private check(
    metric: OtlpMetric,
    type: FamilyType | undefined,
    name: string,
    temporality: number | undefined,
  ) {
    const source = metric.name ?? '';
    if (type === undefined)
      return new PointRefusal('unsupported_type', `${source} has no data of a known type`);
    if (name === '')
      return new PointRefusal(
        'invalid_name',
        `the metric name "${source.slice(0, 100)}" has no usable character`,
      );
    if (temporality !== undefined && temporality !== DELTA && temporality !== CUMULATIVE)
      return new PointRefusal(
        'temporality_unspecified',
        `${source} has no aggregation temporality (delta or cumulative)`,
      );
    if ((metric.sum || metric.histogram || metric.exponentialHistogram) && temporality === undefined)
      return new PointRefusal(
        'temporality_unspecified',
        `${source} has no aggregation temporality (delta or cumulative)`,
      );
    const existing = name === 'target_info' ? { type: 'info', shared: false } : this.existing(name);
    if (existing === undefined) return undefined;
    if (!existing.shared)
      return new PointRefusal('name_clash', `${name} is one of the sidecar's own metrics; rename ${source}`);
    if (existing.type !== type)
      return new PointRefusal(
        'name_clash',
        `${name} is the event catalog's ${existing.type}; ${source} as ${type} cannot share it`,
      );
    return undefined;
  }

  private labels(
    point: Point,
    fixed: ReadonlyArray<readonly [string, string]>,
  ): Array<readonly [string, string]> {
    const own = labelsOf(point.attributes);
    const out: Array<readonly [string, string]> = [...fixed];
    for (const pair of own) {
      if (RESERVED.has(pair[0])) pair[0] = `exported_${pair[0]}`;
      out.push(pair);
    }
    return out.sort(byLabelName);
  }

  /** `target_info`: one series per job and instance, the other resource attributes as labels. */
  private targetInfo(
    target: ReadonlyArray<readonly [string, string]>,
    attributes: readonly KeyValue[] | undefined,
  ) {
    const rest = (attributes ?? []).filter((kv) => kv.key !== undefined && !RESOURCE_AS_LABELS.has(kv.key));
    const kept = new Map<string, string>(target.map(([name, value]) => [name, value]));
    for (const kv of rest) {
      try {
        for (const [name, value] of labelsOf([kv]))
          if (!kept.has(name) && !RESERVED.has(name)) kept.set(name, value);
      } catch (error) {
        if (!(error instanceof PointRefusal)) throw error;
        this.hooks.resourceAttributeDropped(error.reason);
      }
    }
    const labels = [...kept].sort(byLabelName);
    const key: FamilyKey = {
      name: 'target_info',
      type: 'gauge',
      help: 'Target metadata: the resource attributes of each OTLP sender',
      source: 'target_info',
      unit: '',
    };
    try {
      this.store.record(key, labels, { kind: 'number', value: 1 }, false);
    } catch (error) {
      // Over budget: the points of this resource still count, only its metadata is missing.
      if (!(error instanceof PointRefusal)) throw error;
      this.hooks.resourceAttributeDropped(error.reason);
    }
  }
}
