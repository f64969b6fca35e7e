import type { Router } from 'express';
import type { Registry } from 'prom-client';
import { ConfigError } from '../config/config.js';
import type { IngestConfig } from '../config/ingest.js';
import type { Logger } from '../log/logger.js';
import { createIngestAuth, type IngestAuth } from './auth.js';
import { DedupeWindow } from './dedupe.js';
import { type AppErrorSink, createLoggingErrorSink } from './error-sink.js';
import { buildEventsJsonSchema } from './json-schema.js';
import { LabelBudgets } from './label-safety.js';
import { IngestPipeline } from './pipeline.js';
import type { RecentRejection } from './recent-rejections.js';
import { EventRecorder } from './recorder.js';
import { createIngestRouter } from './router.js';
import { IngestSelfMetrics } from './self-metrics.js';
import { EventValidator } from './validate.js';

export interface IngestDeps {
  config: IngestConfig;
  registry: Registry;
  logger: Logger;
  /** Where error events go; without one they are only counted and logged (type, component, level). */
  errorSink?: AppErrorSink;
}

export interface Ingest {
  /** Mount at /v1/events on the admin port. */
  readonly router: Router;
  readonly authMode: 'token' | 'loopback';
  /** Who may post: shared with OTLP metrics in (POST /v1/metrics). */
  readonly auth: IngestAuth;
  /** What the status page shows beyond the counters: the last refusals and each label budget's use. */
  status(): IngestStatus;
}

export interface IngestStatus {
  readonly recent_rejections: RecentRejection[];
  readonly label_budgets: { type: string; field: string; used: number; limit: number }[];
}

/** Wiring of the ingest API: metrics on the given registry, the router, nothing global. */
export function createIngest({ config, registry, logger, errorSink }: IngestDeps): Ingest {
  const metrics = new IngestSelfMetrics(registry);
  const budgets = new LabelBudgets(config.labelBudget, config.labelBudgets, (type, field) =>
    metrics.labelOverflow(type, field),
  );
  const recorder = new EventRecorder({ registry, budgets });

  const known = new Set(budgets.fields.map((f) => f.field));
  const unknown = Object.keys(config.labelBudgets).filter((field) => !known.has(field));
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map((field) => ({
        variable: 'INGEST_LABEL_BUDGETS',
        value: field,
        rule: `is not a budgeted field; these are: ${[...known].sort().join(', ')}`,
      })),
    );
  }
  metrics.watchBudgets(registry, budgets.fields);

  const auth = createIngestAuth(config.token);
  const pipeline = new IngestPipeline({
    validator: new EventValidator(),
    recorder,
    dedupe: new DedupeWindow(config.dedupeWindow),
    metrics,
    errorSink: errorSink ?? createLoggingErrorSink(logger),
    logger,
  });
  const router = createIngestRouter({
    auth,
    pipeline,
    metrics,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    maxEvents: config.maxEvents,
    jsonSchema: buildEventsJsonSchema,
  });
  const status = (): IngestStatus => ({
    recent_rejections: metrics.recentRejections.list(),
    label_budgets: metrics.budgetedFields.map((f) => ({
      type: f.type,
      field: f.field,
      used: f.size,
      limit: f.limit,
    })),
  });
  return { router, authMode: auth.mode, auth, status };
}
