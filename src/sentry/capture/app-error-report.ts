import { scrubText, scrubValue } from '../scrub/index.js';
import { ERROR_LEVELS, type ErrorLevel, type ErrorReport } from './error-report.js';
import {
  type ExceptionEntryInput,
  type ReportedException,
  reportedExceptions,
} from './reported-exception.js';
import { parseStack, type StackFrame } from './stack-frames.js';

/** An error the backend reported through the ingest API. */
export interface AppErrorInput {
  readonly message: string;
  /** The exception class or error code, e.g. `ValueError`, `ECONNRESET`. */
  readonly errorType: string;
  /** The part of the backend that failed, e.g. `rag`, `payments`; default `app`. */
  readonly component?: string | undefined;
  /** Default: `error`. */
  readonly level?: ErrorLevel | undefined;
  /** A Python traceback or a Node.js stack; other formats are kept as scrubbed text. */
  readonly stack?: string | undefined;
  /** Extra structured data; keys naming secrets are filtered, values scrubbed, depth bounded. */
  readonly context?: Readonly<Record<string, unknown>> | undefined;
  /** The trace the backend was serving (from the `sentry-trace` or `traceparent` it received). */
  readonly traceId?: string | undefined;
  readonly spanId?: string | undefined;
  /** The exception chain with its frames, causes first; preferred to `stack` when both come. */
  readonly exception?: readonly ExceptionEntryInput[] | undefined;
  readonly requestId?: string | undefined;
  /** When it happened, in seconds since the epoch; default: now. */
  readonly timestamp?: number | undefined;
  /** The caller's own id for the event (the ingest API's `event_id`), kept as context. */
  readonly eventId?: string | undefined;
}

const MAX_MESSAGE = 8192;
const MAX_STACK = 32_768;

function label(raw: unknown, fallback: string, max: number): string {
  const text = typeof raw === 'string' ? raw.trim().slice(0, max) : '';
  const safe = scrubText(text);
  return safe === '' ? fallback : safe;
}

/** A stable shape of a message for grouping: numbers, hex ids and quoted values folded away. */
export function messageShape(message: string): string {
  return message
    .replace(/"[^"]*"|'[^']*'/g, '<s>')
    .replace(/\b(?:0x)?[0-9a-f]{8,}\b/gi, '<hex>')
    .replace(/\d+/g, '<n>')
    .slice(0, 120);
}

const TRACE_ID = /^[0-9a-f]{32}$/;

export function appErrorReport(input: AppErrorInput): ErrorReport {
  const errorType = label(input.errorType, 'Error', 128);
  const component = label(input.component, 'app', 64);
  const level = ERROR_LEVELS.includes(input.level as ErrorLevel) ? (input.level as ErrorLevel) : 'error';
  const value = scrubText(String(input.message ?? '').slice(0, MAX_MESSAGE));
  const stack = typeof input.stack === 'string' ? input.stack.slice(0, MAX_STACK) : undefined;
  const chain = exceptionChain(input, errorType, value, stack);
  const frames = chain.at(-1)?.frames;
  const top = frames?.findLast((f) => f.in_app) ?? frames?.at(-1);
  const shape = top ? `${top.filename}:${top.function}` : messageShape(value);
  const extra: Record<string, unknown> = {};
  if (input.context && typeof input.context === 'object') {
    const context = scrubValue(input.context);
    if (context && typeof context === 'object') Object.assign(extra, context);
  }
  if (stack && !chain.some((e) => e.frames)) extra.stack = scrubText(stack);
  const requestId =
    typeof input.requestId === 'string' ? scrubText(input.requestId.slice(0, 128)) : undefined;
  const eventId = typeof input.eventId === 'string' ? scrubText(input.eventId.slice(0, 128)) : undefined;
  const traceId = appTraceId(input);
  let timestamp =
    typeof input.timestamp === 'number' && Number.isFinite(input.timestamp) && input.timestamp > 0
      ? input.timestamp
      : undefined;
  // Milliseconds are accepted too: no event of this century is 10^11 seconds after 1970.
  if (timestamp !== undefined && timestamp > 1e11) timestamp /= 1000;
  return {
    kind: 'app_error',
    level,
    message: `${errorType}: ${value}`,
    fingerprint: ['app-error', component, errorType, shape],
    tags: { kind: 'app_error', component, error_type: errorType },
    exception: chain,
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
    contexts: {
      sidecar: {
        source: 'ingest',
        ...(requestId ? { request_id: requestId } : {}),
        ...(eventId ? { event_id: eventId } : {}),
        ...(traceId ? { trace_id: traceId } : {}),
        ...(traceId && typeof input.spanId === 'string' && /^[0-9a-f]{16}$/.test(input.spanId)
          ? { span_id: input.spanId }
          : {}),
      },
    },
    ...(requestId ? { requestId } : {}),
    ...(timestamp ? { timestamp } : {}),
  };
}

/**
 * The exception chain: the client's structured one when it sent one, else one exception with
 * the frames parsed from the stack text, if any.
 */
function exceptionChain(
  input: AppErrorInput,
  errorType: string,
  value: string,
  stack: string | undefined,
): ReportedException[] {
  if (Array.isArray(input.exception) && input.exception.length > 0)
    return reportedExceptions(input.exception);
  const frames: StackFrame[] | undefined = stack ? parseStack(stack) : undefined;
  return [{ type: errorType, value, ...(frames ? { frames } : {}) }];
}

/** The trace id an app error asked to be linked to, validated. */
export function appTraceId(input: AppErrorInput): string | undefined {
  return typeof input.traceId === 'string' && TRACE_ID.test(input.traceId) ? input.traceId : undefined;
}
