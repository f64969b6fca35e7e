import type { IncomingMessage } from 'node:http';
import type { SentryConfig } from '../config/sentry.js';
import {
  type ErrorCapture,
  type ErrorLinker,
  ExcerptCollector,
  proxyErrorHead,
  proxyErrorReport,
} from './capture/index.js';
import { type RequestTrace, RequestTracing, type SpanStarter } from './tracing/index.js';

/** The parts of the proxy's exchange this observer reads (structurally the proxy's Exchange). */
export interface ObservedExchange {
  readonly method: string;
  readonly requestId: string;
  readonly route: { readonly template: string };
  readonly backendStatus: number | undefined;
  readonly failure:
    | { readonly errorType: string; readonly status: number; readonly code: string }
    | undefined;
  /** Where this observer keeps its state for the exchange (nothing outlives the request). */
  observerState: unknown;
}

export interface ObservedOutcome {
  readonly route: string;
  readonly status: number;
  readonly errorType: string;
  readonly durationSeconds: number;
}

/** Matches the proxy's ExchangeObserver; hooks a configuration does not need are left out. */
export interface SentryProxyObserver {
  forwarding?(req: IncomingMessage, exchange: ObservedExchange): void;
  upstreamResponse?(req: IncomingMessage, exchange: ObservedExchange, proxyRes: IncomingMessage): void;
  finished(req: IncomingMessage, exchange: ObservedExchange, outcome: ObservedOutcome): void;
  exemplar?(exchange: ObservedExchange): Record<string, string> | undefined;
}

/** What this observer keeps on an exchange: its trace, once forwarded, and a 5xx body excerpt. */
interface ExchangeState extends Partial<RequestTrace> {
  excerpt?: ExcerptCollector | undefined;
}

export interface ProxyObserverOptions {
  readonly config: SentryConfig;
  /** host:port of the backend, for the `upstream` tag. */
  readonly upstream: string;
  readonly capture: ErrorCapture;
  /** Joins a backend 5xx with the backend's own error event for the same request. */
  readonly linker?: ErrorLinker | undefined;
  /** Spans exported over OTLP alone, when there is no DSN but an OTLP endpoint (sdk/otlp-only-spans.ts), once started. */
  readonly otlpOnly?: (() => SpanStarter | undefined) | undefined;
}

/** What capturing a failed exchange needs besides the exchange. */
interface CaptureContext {
  readonly capture: ErrorCapture;
  readonly linker: ErrorLinker | undefined;
  readonly tracing: RequestTracing;
  readonly upstream: string;
  readonly allowedHeaders: ReadonlySet<string>;
  readonly userIdHeader: string | undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The failure behind an exchange's outcome: one the proxy recorded, or a reset it saw. */
function failureTypeOf(ex: ObservedExchange, outcome: ObservedOutcome): string | undefined {
  return ex.failure?.errorType ?? (outcome.errorType === 'upstream_reset' ? 'upstream_reset' : undefined);
}

/**
 * Reports a backend 5xx or a failure the sidecar answered for. Everything but the exchange's
 * classification is read and scrubbed only if the rate limits let this one through.
 */
function captureExchange(
  context: CaptureContext,
  req: IncomingMessage,
  ex: ObservedExchange,
  outcome: ObservedOutcome,
  failureType: string | undefined,
  state: ExchangeState | undefined,
): void {
  const failure =
    failureType === undefined
      ? undefined
      : { errorType: failureType, code: ex.failure?.code, status: ex.failure?.status };
  const classified = {
    method: ex.method,
    route: outcome.route,
    status: outcome.status,
    failure,
    backendStatus: ex.backendStatus,
  };
  const head = proxyErrorHead(classified);
  if (!head) return;
  const { userIdHeader } = context;
  const build = () => {
    const report = proxyErrorReport(
      {
        ...classified,
        errorType: outcome.errorType,
        requestId: ex.requestId,
        target: req.url ?? '',
        headers: req.headers,
        durationSeconds: outcome.durationSeconds,
        userId: userIdHeader ? single(req.headers[userIdHeader]) : undefined,
        body: state?.excerpt?.excerpt(),
      },
      { upstream: context.upstream, allowedHeaders: context.allowedHeaders },
      head,
    )!;
    return { report, trace: context.tracing.eventTrace(state) };
  };
  // A backend 5xx may have an error event of the backend's own to be sent with; a failure only
  // the sidecar saw has none.
  if (failure === undefined && context.linker)
    context.linker.backend5xx(ex.requestId, head.fingerprint, build);
  else context.capture.reportAdmitted(head.fingerprint, build);
}

/**
 * The Sentry side of the proxy: traces requests and propagates trace headers to the backend
 * (tracing/request-tracing.ts), captures backend 5xx responses and the sidecar's own upstream
 * failures, and puts the trace id on the request's duration observation as an exemplar.
 * State lives on the exchange, so nothing outlives the request.
 */
export function createProxyObserver(options: ProxyObserverOptions): SentryProxyObserver {
  const { config, capture, upstream, linker } = options;
  const tracing = new RequestTracing(config, upstream);
  const context: CaptureContext = {
    capture,
    linker,
    tracing,
    upstream,
    allowedHeaders: new Set(config.requestHeaders),
    userIdHeader: config.userIdHeader,
  };

  const observer: SentryProxyObserver = {
    finished(req, ex, outcome) {
      const state = ex.observerState as ExchangeState | undefined;
      const failureType = failureTypeOf(ex, outcome);
      const backend5xx = ex.backendStatus !== undefined && ex.backendStatus >= 500;
      if (failureType !== undefined || (backend5xx && config.captureBackend5xx)) {
        captureExchange(context, req, ex, outcome, failureType, state);
      }
      // An error event of the backend's waiting for this request is sent on its own: the
      // request did not fail, or not in a way the backend's event describes.
      if (failureType !== undefined || !backend5xx || !config.captureBackend5xx)
        linker?.requestEnded(ex.requestId);
      state?.span?.end(outcome.status, outcome.route);
    },
  };

  const otlpOnly = options.otlpOnly;
  if ((config.dsn !== undefined || otlpOnly !== undefined) && config.enableTracing) {
    observer.forwarding = (req, ex) => {
      const sdk = capture.sentry ?? otlpOnly?.();
      if (sdk === undefined) return;
      const trace = tracing.forward(sdk, req.headers, ex.method, ex.route.template, ex.requestId);
      if (trace === undefined) return;
      const state = ex.observerState as ExchangeState | undefined;
      if (state) Object.assign(state, trace);
      else ex.observerState = trace satisfies ExchangeState;
    };
    observer.exemplar = (ex) => {
      const state = ex.observerState as ExchangeState | undefined;
      // Only sampled requests have a trace in Sentry to jump to.
      return state?.span && state.decision ? { trace_id: state.decision.traceId } : undefined;
    };
  }

  if (config.dsn !== undefined && config.attachResponseBody) {
    observer.upstreamResponse = (_req, ex, proxyRes) => {
      if (capture.sentry === undefined) return;
      const excerpt = ExcerptCollector.attach(proxyRes, config.responseBodyMaxBytes);
      if (excerpt === undefined) return;
      const state = ex.observerState as ExchangeState | undefined;
      if (state) state.excerpt = excerpt;
      else ex.observerState = { excerpt } satisfies ExchangeState;
    };
  }

  return observer;
}
