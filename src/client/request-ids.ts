import type { IncomingHttpHeaders } from 'node:http';

/** What links an error event to the request it happened in (the ingest API's error fields). */
export interface RequestIds {
  request_id?: string;
  trace_id?: string;
  span_id?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:@=+/-]{1,128}$/;
const SENTRY_TRACE = /^([0-9a-f]{32})-([0-9a-f]{16})(?:-[01])?$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

function one(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.trim();
}

/**
 * The ids the sidecar put on a request it forwarded: `X-Request-Id`, and the trace and span of
 * `sentry-trace` (or W3C `traceparent`). An error event that carries them is joined by the
 * sidecar to the 5xx it saw for that request, and sits in the request's trace in Sentry.
 */
export function requestIds(headers: IncomingHttpHeaders): RequestIds {
  const ids: RequestIds = {};
  const requestId = one(headers['x-request-id']);
  if (requestId !== undefined && REQUEST_ID.test(requestId)) ids.request_id = requestId;
  const sentryTrace = one(headers['sentry-trace']);
  const traceparent = one(headers.traceparent);
  const trace =
    (sentryTrace && SENTRY_TRACE.exec(sentryTrace)) || (traceparent && TRACEPARENT.exec(traceparent));
  if (trace) {
    ids.trace_id = trace[1]!;
    ids.span_id = trace[2]!;
  }
  return ids;
}
