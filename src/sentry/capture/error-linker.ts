import type { SentryMetrics } from '../metrics.js';
import type { EventTrace } from '../tracing/index.js';
import { type AppErrorInput, appErrorReport } from './app-error-report.js';
import type { CaptureResult, ErrorCapture } from './error-capture.js';
import type { ErrorReport } from './error-report.js';

/** A report and the trace it belongs to, built when it is about to be sent. */
export type BuildReport = () => { report: ErrorReport; trace?: EventTrace | undefined };

interface PendingResponse {
  readonly fingerprint: readonly string[];
  readonly build: BuildReport;
  readonly timer: NodeJS.Timeout;
}

interface PendingAppError {
  readonly input: AppErrorInput;
  readonly timer: NodeJS.Timeout;
}

/**
 * One failure, one event. A backend that fails a request usually says so twice: it answers 5xx
 * (which the proxy sees) and it posts the exception to the ingest API with the request's id.
 * Whichever comes first waits up to ERROR_LINK_WINDOW_MS for the other; together they become
 * one event with the exception and its frames, the request, its status and its trace. Alone,
 * each is sent as it would be without linking. Waiting entries are bounded: past the bound the
 * oldest is sent at once, unlinked, and counted, so nothing is lost.
 */
export class ErrorLinker {
  private readonly responses = new Map<string, PendingResponse>();
  private readonly appErrors = new Map<string, PendingAppError>();

  constructor(
    private readonly capture: ErrorCapture,
    private readonly metrics: SentryMetrics,
    private readonly windowMs: number,
    private readonly maxPending: number,
  ) {}

  /** The backend answered 5xx to request `requestId`. */
  backend5xx(requestId: string, fingerprint: readonly string[], build: BuildReport): void {
    const app = this.appErrors.get(requestId);
    if (app !== undefined) {
      this.appErrors.delete(requestId);
      clearTimeout(app.timer);
      return void this.sendLinked(build, app.input);
    }
    if (this.windowMs === 0) return void this.capture.reportAdmitted(fingerprint, build);
    this.makeRoom(this.responses, (p) => this.capture.reportAdmitted(p.fingerprint, p.build));
    const timer = setTimeout(() => {
      this.responses.delete(requestId);
      this.metrics.errorLinked('response_alone');
      this.capture.reportAdmitted(fingerprint, build);
    }, this.windowMs);
    timer.unref();
    this.responses.set(requestId, { fingerprint, build, timer });
  }

  /** Request `requestId` ended without a backend 5xx: an error event waiting for it was handled. */
  requestEnded(requestId: string): void {
    if (this.appErrors.size === 0) return;
    const app = this.appErrors.get(requestId);
    if (app === undefined) return;
    this.appErrors.delete(requestId);
    clearTimeout(app.timer);
    this.metrics.errorLinked('app_error_alone');
    this.capture.captureAppError(app.input);
  }

  /** An error event from the backend; one with a request id waits for that request's answer. */
  appError(input: AppErrorInput): CaptureResult {
    const requestId = input.requestId;
    if (requestId === undefined || this.windowMs === 0) return this.capture.captureAppError(input);
    const response = this.responses.get(requestId);
    if (response !== undefined) {
      this.responses.delete(requestId);
      clearTimeout(response.timer);
      return this.sendLinked(response.build, input);
    }
    // A retry of an event already waiting (the ingest API drops those with a known event_id).
    if (this.appErrors.has(requestId)) return { outcome: 'queued' };
    this.makeRoom(this.appErrors, (p) => this.capture.captureAppError(p.input));
    const timer = setTimeout(() => {
      this.appErrors.delete(requestId);
      this.metrics.errorLinked('app_error_alone');
      this.capture.captureAppError(input);
    }, this.windowMs);
    timer.unref();
    this.appErrors.set(requestId, { input, timer });
    return { outcome: 'queued' };
  }

  /** Sends every waiting entry now, unlinked (at shutdown, before Sentry is flushed). */
  flush(): void {
    for (const [id, p] of this.responses) {
      clearTimeout(p.timer);
      this.responses.delete(id);
      this.capture.reportAdmitted(p.fingerprint, p.build);
    }
    for (const [id, p] of this.appErrors) {
      clearTimeout(p.timer);
      this.appErrors.delete(id);
      this.capture.captureAppError(p.input);
    }
  }

  private makeRoom<T extends { timer: NodeJS.Timeout }>(pending: Map<string, T>, send: (p: T) => void): void {
    if (pending.size < this.maxPending) return;
    const [oldestId, oldest] = pending.entries().next().value as [string, T];
    pending.delete(oldestId);
    clearTimeout(oldest.timer);
    this.metrics.errorLinked('evicted');
    send(oldest);
  }

  private sendLinked(build: BuildReport, input: AppErrorInput): CaptureResult {
    this.metrics.errorLinked('linked');
    const app = appErrorReport(input);
    return this.capture.reportAdmitted(app.fingerprint, () => {
      const { report, trace } = build();
      return { report: linkedReport(report, app), trace };
    });
  }
}

/**
 * The backend's 5xx and its own account of it as one report: the exception, its frames and its
 * grouping from the backend; the request, route, status and trace from the proxy.
 */
export function linkedReport(response: ErrorReport, app: ErrorReport): ErrorReport {
  const sidecar = { ...(response.contexts?.sidecar ?? {}), ...(app.contexts?.sidecar ?? {}) };
  return {
    ...response,
    level: app.level,
    message: app.message,
    fingerprint: app.fingerprint,
    tags: { ...response.tags, ...app.tags, kind: response.kind },
    contexts: { ...response.contexts, sidecar: { ...sidecar, source: 'proxy+ingest' } },
    ...(app.extra ? { extra: app.extra } : {}),
    ...(app.exception ? { exception: app.exception } : {}),
  };
}
