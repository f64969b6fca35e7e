import type { Logger } from '../log/logger.js';
import type { ValidEvent } from './catalog.js';
import type { DedupeWindow } from './dedupe.js';
import type { AppErrorReport, AppErrorSink } from './error-sink.js';
import type { EventRecorder } from './recorder.js';
import { type IngestSelfMetrics, UNKNOWN_TYPE } from './self-metrics.js';
import type { EventValidator } from './validate.js';

export interface Rejected {
  index: number;
  reason: string;
}

/** The answer to a batch, in the manner of OTLP's partial success. */
export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: Rejected[];
}

export interface PipelineDeps {
  validator: EventValidator;
  recorder: EventRecorder;
  dedupe: DedupeWindow;
  metrics: IngestSelfMetrics;
  errorSink: AppErrorSink;
  logger: Logger;
}

function toTimestamp(ts: number | string | undefined): number | undefined {
  if (ts === undefined) return undefined;
  return typeof ts === 'number' ? ts : Date.parse(ts) / 1000;
}

function errorReport(event: ValidEvent<'error'>): AppErrorReport {
  return {
    message: event.message,
    errorType: event.error_type,
    component: event.component,
    level: event.level,
    stack: event.stack,
    context: event.context,
    timestamp: toTimestamp(event.ts),
    eventId: event.event_id,
    requestId: event.request_id,
    traceId: event.trace_id,
    spanId: event.span_id,
    exception: event.exception,
  };
}

/**
 * Validates, deduplicates and records each event of a batch on its own: valid events are
 * recorded even when others in the batch are not. An event is recorded only once it is valid
 * as a whole, so a rejected event changes no metric.
 */
export class IngestPipeline {
  constructor(private readonly deps: PipelineDeps) {}

  process(items: readonly unknown[], lineErrors: ReadonlyMap<number, string>): BatchResult {
    const { validator, dedupe, metrics } = this.deps;
    const result: BatchResult = { accepted: 0, duplicates: 0, rejected: [] };
    for (let index = 0; index < items.length; index++) {
      const lineError = lineErrors.size > 0 ? lineErrors.get(index) : undefined;
      if (lineError !== undefined) {
        result.rejected.push({ index, reason: lineError });
        metrics.event(UNKNOWN_TYPE, 'rejected');
        metrics.rejection('malformed_json', lineError);
        continue;
      }
      const validation = validator.validate(items[index], index);
      if (!validation.ok) {
        result.rejected.push({ index, reason: validation.rejection.reason });
        metrics.event(validation.type ?? UNKNOWN_TYPE, 'rejected');
        metrics.rejection(validation.rejection.code, validation.rejection.reason);
        continue;
      }
      const event = validation.event;
      const id = event.event_id;
      if (id !== undefined && dedupe.has(id)) {
        result.duplicates++;
        metrics.event(event.type, 'duplicate');
        continue;
      }
      this.record(event);
      if (id !== undefined) dedupe.remember(id);
      result.accepted++;
      metrics.event(event.type, 'accepted');
    }
    return result;
  }

  /** Observability never breaks the caller: a failing recorder or sink is logged and counted. */
  private record(event: ValidEvent): void {
    try {
      this.deps.recorder.record(event);
    } catch (error) {
      this.deps.metrics.failure('record');
      this.deps.logger.error({ err: error, event_type: event.type }, 'recording an ingest event failed');
    }
    if (event.type === 'error') {
      try {
        this.deps.errorSink.report(errorReport(event));
      } catch (error) {
        this.deps.metrics.failure('error_sink');
        this.deps.logger.error({ err: error }, 'forwarding an application error failed');
      }
    }
  }
}
