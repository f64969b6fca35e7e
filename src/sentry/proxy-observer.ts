import type { IncomingMessage } from 'node:http';
import type { SentryConfig } from '../config/sentry.js';
import { type ErrorCapture, ExcerptCollector, proxyErrorHead, proxyErrorReport } from './capture/index.js';
import type { RequestSpan } from './sdk/index.js';
import {
  decideTrace,
  dscToBaggage,
  foreignBaggage,
  type IncomingTrace,
  mergeBaggage,
  newSpanId,
  OwnDsc,
  RouteRules,
  readIncomingTrace,
  sentryTraceHeader,
  stripIncomingTrace,
  type TraceDecision,
  traceparentHeader,
} from './tracing/index.js';

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

interface ExchangeState {
  decision?: TraceDecision;
  spanId?: string;
  span?: RequestSpan | undefined;
  name?: string;
  excerpt?: ExcerptCollector | undefined;
}

export interface ProxyObserverOptions {
  readonly config: SentryConfig;
  /** host:port of the backend, for the `upstream` tag. */
  readonly upstream: string;
  readonly capture: ErrorCapture;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The Sentry side of the proxy: traces requests and propagates trace headers to the backend,
 * captures backend 5xx responses and the sidecar's own upstream failures, and puts the trace id
 * on the request's duration observation as an exemplar.
 *
 * The per-request path is kept to a Map lookup, a random number and a few string
 * concatenations; only sampled requests build and send a span. State lives on the exchange, so
 * nothing outlives the request.
 */
export function createProxyObserver(options: ProxyObserverOptions): SentryProxyObserver {
  const { config, capture, upstream } = options;
  const rules = new RouteRules(
    config.tracesExcludeRoutes,
    config.tracesRouteSampleRates,
    config.tracesSampleRate,
  );
  const allowedHeaders = new Set(config.requestHeaders);
  const continueIncoming = config.incomingTraceHeaders === 'continue';
  const userIdHeader = config.userIdHeader;
  let ownDsc: OwnDsc | undefined;

  const observer: SentryProxyObserver = {
    finished(req, ex, outcome) {
      const state = ex.observerState as ExchangeState | undefined;
      const failureType =
        ex.failure?.errorType ?? (outcome.errorType === 'upstream_reset' ? 'upstream_reset' : undefined);
      if (failureType !== undefined || (ex.backendStatus !== undefined && ex.backendStatus >= 500)) {
        captureExchange(req, ex, outcome, failureType, state);
      }
      state?.span?.end(outcome.status);
    },
  };

  function captureExchange(
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
    // Everything else is read and scrubbed only if the rate limits let this one through.
    capture.reportAdmitted(head.fingerprint, () => {
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
        { upstream, allowedHeaders },
        head,
      )!;
      const d = state?.decision;
      const trace =
        d && state.spanId && ownDsc
          ? {
              traceId: d.traceId,
              spanId: state.spanId,
              parentSpanId: d.parentSpanId,
              sampled: d.sampled,
              sampleRand: d.sampleRand,
              dsc: ownDsc.object(d, state.name ?? ''),
            }
          : undefined;
      return { report, trace };
    });
  }

  if (config.dsn !== undefined && config.enableTracing) {
    observer.forwarding = (req, ex) => {
      const sdk = capture.sentry;
      if (sdk === undefined) return;
      const rule = rules.ruleFor(ex.route.template);
      // Excluded routes are not traced, and the sidecar leaves their trace headers alone.
      if (!rule.traced) return;
      const headers = req.headers;
      const foreign = headers.baggage === undefined ? undefined : foreignBaggage(headers.baggage);
      let incoming: IncomingTrace | undefined;
      if (continueIncoming) {
        if (headers['sentry-trace'] !== undefined || headers.traceparent !== undefined) {
          incoming = readIncomingTrace(headers);
        }
        // A tracestate belongs to the traceparent it came with; a new trace makes it stale.
        if (incoming === undefined) delete headers.tracestate;
      } else {
        stripIncomingTrace(headers);
      }
      const decision = decideTrace(incoming, rule.rate);
      ownDsc ??= new OwnDsc(sdk.identity);
      const dsc = ownDsc;
      const name = ex.method + ' ' + ex.route.template;
      let spanId: string;
      let span: RequestSpan | undefined;
      if (decision.sampled) {
        span = sdk.startRequestSpan(decision, name, dsc.object(decision, name), {
          'http.request.method': ex.method,
          'http.route': ex.route.template,
          'server.address': upstream,
          'sidecar.request_id': ex.requestId,
        });
        spanId = span.spanId;
      } else {
        spanId = newSpanId();
      }
      // Built here rather than asked of the span: the same entries (a unit test holds them next to
      // the SDK's), at a fraction of the cost.
      const baggage = decision.frozenDsc
        ? dscToBaggage({ ...decision.frozenDsc, sample_rate: String(decision.sampleRate) })
        : dsc.baggage(decision, ex.method + '%20' + rule.encodedTemplate);
      headers['sentry-trace'] = sentryTraceHeader(decision.traceId, spanId, decision.sampled);
      headers.traceparent = traceparentHeader(decision.traceId, spanId, decision.sampled);
      headers.baggage = mergeBaggage(baggage, foreign);
      const state = ex.observerState as ExchangeState | undefined;
      if (state) Object.assign(state, { decision, spanId, span, name });
      else ex.observerState = { decision, spanId, span, name } satisfies ExchangeState;
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
