import { type Event, Scope, type StackFrame as StackFrameEvent } from '@sentry/core';
import type { ServerRuntimeClient } from '@sentry/core/server';
import type { ErrorReport } from '../capture/index.js';
import type { EventTrace } from '../tracing/index.js';

/** An error report as a Sentry event: every field comes from the report, already scrubbed. */
function toEvent(report: ErrorReport): Event {
  const event: Event = {
    level: report.level,
    fingerprint: [...report.fingerprint],
    tags: { ...report.tags },
  };
  if (report.exception) {
    event.exception = {
      values: report.exception.map((e) => ({
        type: e.type,
        value: e.value,
        ...(e.module ? { module: e.module } : {}),
        mechanism: { type: 'sidecar.ingest', handled: true },
        ...(e.frames ? { stacktrace: { frames: structuredClone(e.frames) as StackFrameEvent[] } } : {}),
      })),
    };
  } else {
    event.message = report.message;
  }
  if (report.transaction) event.transaction = report.transaction;
  if (report.request) event.request = { ...report.request, headers: { ...report.request.headers } };
  if (report.user) event.user = { id: report.user.id };
  if (report.contexts) event.contexts = structuredClone(report.contexts) as Event['contexts'];
  if (report.extra) event.extra = structuredClone(report.extra) as Event['extra'];
  if (report.timestamp) event.timestamp = report.timestamp;
  return event;
}

/**
 * Hands a report to the client with the trace it belongs to, on a scope of its own: nothing of
 * one event's trace or tags can leak into another's. Returns the event id.
 */
export function captureReport(
  client: ServerRuntimeClient,
  report: ErrorReport,
  trace: EventTrace | undefined,
): string {
  const scope = new Scope();
  scope.setClient(client);
  if (trace) {
    scope.setPropagationContext({
      traceId: trace.traceId,
      sampleRand: trace.sampleRand,
      propagationSpanId: trace.spanId,
      ...(trace.parentSpanId ? { parentSpanId: trace.parentSpanId } : {}),
      ...(trace.sampled === undefined ? {} : { sampled: trace.sampled }),
      dsc: trace.dsc,
    });
  }
  return client.captureEvent(toEvent(report), undefined, scope);
}
