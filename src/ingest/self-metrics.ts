import type { Registry } from 'prom-client';
import { labeledCounter, promGauge } from '../metrics/create-metric.js';
import { declareMetrics } from '../metrics/declaration.js';
import type { LabeledCounter } from '../metrics/labeled-metrics.js';
import { EVENT_TYPES } from './catalog.js';
import { EVENT_REJECTION_REASONS, REQUEST_ERRORS } from './errors.js';
import type { BudgetedField } from './label-safety.js';
import { RecentRejections } from './recent-rejections.js';

/** The ingest API's own health; the families the events become are declared in families/. */
export const INGEST_SELF_METRICS = declareMetrics({
  requests: {
    name: 'sidecar_ingest_requests_total',
    type: 'counter',
    help: 'Requests to POST /v1/events by response status.',
    labelNames: ['status'],
  },
  events: {
    name: 'sidecar_ingest_events_total',
    type: 'counter',
    help: 'Events received on /v1/events by type and outcome (accepted, rejected, duplicate).',
    labelNames: ['type', 'outcome'],
  },
  rejections: {
    name: 'sidecar_ingest_rejections_total',
    type: 'counter',
    help: 'Refusals by reason: once per refused request for request-level reasons, once per event for event-level ones.',
    labelNames: ['reason'],
  },
  failures: {
    name: 'sidecar_ingest_failures_total',
    type: 'counter',
    help: 'Internal failures while recording a valid event or forwarding an error event; they are logged.',
    labelNames: ['stage'],
  },
  labelOverflow: {
    name: 'sidecar_label_overflow_total',
    type: 'counter',
    help: 'Label values recorded as _OTHER because the field had used up its budget of distinct values.',
    labelNames: ['type', 'field'],
  },
  labelValues: {
    name: 'sidecar_ingest_label_values',
    type: 'gauge',
    help: 'Distinct values admitted so far per budgeted field (bounded by INGEST_LABEL_BUDGET).',
    labelNames: ['type', 'field'],
  },
});

/** `type` label of events whose type is missing or not in the catalog. */
export const UNKNOWN_TYPE = '_unknown';
export type EventOutcome = 'accepted' | 'rejected' | 'duplicate';
const OUTCOMES: readonly EventOutcome[] = ['accepted', 'rejected', 'duplicate'];
const STATUSES = ['200', '400', '401', '403', '405', '413', '415', '500'];
export const FAILURE_STAGES = ['record', 'error_sink'] as const;
/** Refusals kept with their reasons for the status page. */
const RECENT_REJECTIONS = 10;

/**
 * The ingest API's own health, for alerts on a misbehaving backend: how many events arrive,
 * how many are refused and why, and where label budgets overflow. Every label is bounded and
 * every series starts at 0.
 */
export class IngestSelfMetrics {
  private readonly requests: LabeledCounter;
  private readonly events: LabeledCounter;
  private readonly rejections: LabeledCounter;
  private readonly failures: LabeledCounter;
  private readonly overflow: LabeledCounter;
  /** The last refusals with their reasons; the counter above keeps only the code. */
  readonly recentRejections = new RecentRejections(RECENT_REJECTIONS);
  /** The budgeted fields, once watched, for the status page's budget use. */
  budgetedFields: readonly BudgetedField[] = [];

  constructor(registry: Registry) {
    this.requests = labeledCounter(registry, INGEST_SELF_METRICS.requests);
    this.events = labeledCounter(registry, INGEST_SELF_METRICS.events);
    this.rejections = labeledCounter(registry, INGEST_SELF_METRICS.rejections);
    this.failures = labeledCounter(registry, INGEST_SELF_METRICS.failures);
    this.overflow = labeledCounter(registry, INGEST_SELF_METRICS.labelOverflow);
    for (const status of STATUSES) this.requests.child([status]);
    for (const type of [...EVENT_TYPES, UNKNOWN_TYPE]) {
      for (const outcome of OUTCOMES) this.events.child([type, outcome]);
    }
    for (const reason of [...Object.keys(REQUEST_ERRORS), ...EVENT_REJECTION_REASONS])
      this.rejections.child([reason]);
    for (const stage of FAILURE_STAGES) this.failures.child([stage]);
  }

  /** Starts the overflow counters and the label-value gauge of every budgeted field. */
  watchBudgets(registry: Registry, fields: readonly BudgetedField[]): void {
    this.budgetedFields = fields;
    for (const field of fields) this.overflow.child([field.type, field.field]);
    promGauge(registry, INGEST_SELF_METRICS.labelValues, function () {
      for (const f of fields) this.set({ type: f.type, field: f.field }, f.size);
    });
  }

  request(status: number): void {
    this.requests.child([String(status)]).inc();
  }

  event(type: string, outcome: EventOutcome): void {
    this.events.child([type, outcome]).inc();
  }

  /** A refusal: `code` is the counted label, `reason` the message the caller got. */
  rejection(code: string, reason: string): void {
    this.rejections.child([code]).inc();
    this.recentRejections.add(code, reason);
  }

  failure(stage: (typeof FAILURE_STAGES)[number]): void {
    this.failures.child([stage]).inc();
  }

  labelOverflow(type: string, field: string): void {
    this.overflow.child([type, field]).inc();
  }
}
