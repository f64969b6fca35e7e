import type { Registry } from 'prom-client';
import { labeledCounter, promGauge } from '../metrics/create-metric.js';
import { declareMetrics } from '../metrics/declaration.js';
import type { LabeledCounter } from '../metrics/labeled-metrics.js';
import { REFUSAL_REASONS, type RefusalReason } from './refusal.js';
import type { SeriesStore } from './series-store.js';

/** The health of OTLP metrics in: what arrives, what is refused and why, how full the budget is. */
export const OTLP_METRICS = declareMetrics({
  requests: {
    name: 'sidecar_otlp_requests_total',
    type: 'counter',
    help: 'Requests to POST /v1/metrics by response status.',
    labelNames: ['status'],
  },
  points: {
    name: 'sidecar_otlp_data_points_total',
    type: 'counter',
    help: 'OTLP data points received, by outcome (accepted, rejected).',
    labelNames: ['outcome'],
  },
  rejected: {
    name: 'sidecar_otlp_data_points_rejected_total',
    type: 'counter',
    help: 'OTLP data points refused, by reason; partial_success tells the sender the first reasons.',
    labelNames: ['reason'],
  },
  resourceAttributes: {
    name: 'sidecar_otlp_resource_attributes_dropped_total',
    type: 'counter',
    help: 'Resource attributes left out of target_info by a label guard (personal data, length) or the series budget.',
    labelNames: ['reason'],
  },
  expired: {
    name: 'sidecar_otlp_series_expired_total',
    type: 'counter',
    help: 'OTLP series removed from /metrics after OTLP_SERIES_TTL_S without an update.',
    labelNames: [],
  },
  series: {
    name: 'sidecar_otlp_series',
    type: 'gauge',
    help: 'OTLP series on /metrics, target_info included.',
    labelNames: [],
  },
  seriesLimit: {
    name: 'sidecar_otlp_series_limit',
    type: 'gauge',
    help: 'OTLP_MAX_SERIES: the series OTLP metrics may hold in all.',
    labelNames: [],
  },
});

const STATUSES = ['200', '400', '401', '403', '413', '415', '503'];

export class OtlpMetrics {
  private readonly requestsCounter: LabeledCounter;
  private readonly points: LabeledCounter;
  private readonly rejected: LabeledCounter;
  private readonly resource: LabeledCounter;
  private readonly expiredCounter: LabeledCounter;

  constructor(registry: Registry, store: SeriesStore) {
    this.requestsCounter = labeledCounter(registry, OTLP_METRICS.requests);
    this.points = labeledCounter(registry, OTLP_METRICS.points);
    this.rejected = labeledCounter(registry, OTLP_METRICS.rejected);
    this.resource = labeledCounter(registry, OTLP_METRICS.resourceAttributes);
    this.expiredCounter = labeledCounter(registry, OTLP_METRICS.expired);
    for (const status of STATUSES) this.requestsCounter.child([status]);
    for (const outcome of ['accepted', 'rejected']) this.points.child([outcome]);
    for (const reason of REFUSAL_REASONS) {
      this.rejected.child([reason]);
      this.resource.child([reason]);
    }
    this.expiredCounter.child([]);
    promGauge(registry, OTLP_METRICS.series, function () {
      this.set(store.size);
    });
    promGauge(registry, OTLP_METRICS.seriesLimit).set(store.limit);
  }

  request(status: number): void {
    this.requestsCounter.child([String(status)]).inc();
  }

  accepted(points: number): void {
    this.points.child(['accepted']).inc(points);
  }

  refused(reason: RefusalReason, points: number): void {
    this.points.child(['rejected']).inc(points);
    this.rejected.child([reason]).inc(points);
  }

  resourceAttributeDropped(reason: RefusalReason): void {
    this.resource.child([reason]).inc();
  }

  expired(series: number): void {
    if (series > 0) this.expiredCounter.child([]).inc(series);
  }
}
