import type { IncomingHttpHeaders } from 'node:http';
import type { SentryConfig } from '../../config/sentry.js';
import { type DscIdentity, OwnDsc } from './own-dsc.js';
import { RouteRules } from './route-rules.js';
import { newSpanId } from './trace-ids.js';
import {
  type Dsc,
  decideTrace,
  dscToBaggage,
  foreignBaggage,
  type IncomingTrace,
  mergeBaggage,
  readIncomingTrace,
  sentryTraceHeader,
  stripIncomingTrace,
  type TraceDecision,
  traceparentHeader,
} from './trace-propagation.js';

/** A sampled request's span, the root of the sidecar's part of the trace. */
export interface RequestSpan {
  readonly spanId: string;
  /**
   * Ends the span and sends it; `status` sets its HTTP status and, from 400, its error status.
   * `route` is the request's final `http_route` label, which names the span when it is not the
   * template known at the start (`__not_found__` for a scan, `{param}` after a fold).
   */
  end(status: number | undefined, route?: string): void;
}

/** The trace an error event belongs to. */
export interface EventTrace {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string | undefined;
  readonly sampled?: boolean | undefined;
  readonly sampleRand: number;
  readonly dsc: Dsc;
}

/** What tracing needs of the Sentry SDK (the SDK adapter is one): its identity, and a span per sampled request. */
export interface SpanStarter {
  /** What the sidecar's own dynamic sampling context is made of. */
  readonly identity: DscIdentity;
  /** A span for a sampled request, sent when it ends under `dsc`, the trace's sampling context. */
  startRequestSpan(
    decision: TraceDecision,
    name: string,
    dsc: Dsc,
    attributes: Readonly<Record<string, string | number>>,
  ): RequestSpan;
}

/** The trace of one forwarded request, kept with its exchange until it ends. */
export interface RequestTrace {
  readonly decision: TraceDecision;
  readonly spanId: string;
  /** Only sampled requests have one. */
  readonly span: RequestSpan | undefined;
  /** The transaction name, `METHOD /route/template`. */
  readonly name: string;
}

/**
 * The tracing of proxied requests: the sampling decision per route, the trace headers the
 * backend receives, and a span for each sampled request. The per-request path is a Map lookup,
 * a random number and a few string concatenations; only sampled requests build a span.
 */
export class RequestTracing {
  private readonly rules: RouteRules;
  private readonly continueIncoming: boolean;
  private ownDsc: OwnDsc | undefined;

  constructor(
    config: SentryConfig,
    /** host:port of the backend, for the span's `server.address`. */
    private readonly upstream: string,
  ) {
    this.rules = new RouteRules(
      config.tracesExcludeRoutes,
      config.tracesRouteSampleRates,
      config.tracesSampleRate,
    );
    this.continueIncoming = config.incomingTraceHeaders === 'continue';
  }

  /**
   * Decides the trace of a request about to be forwarded and writes its trace headers into
   * `headers`; undefined on an excluded route, whose headers are left as the client sent them.
   */
  forward(
    sdk: SpanStarter,
    headers: IncomingHttpHeaders,
    method: string,
    template: string,
    requestId: string,
  ): RequestTrace | undefined {
    const rule = this.rules.ruleFor(template);
    if (!rule.traced) return undefined;
    const foreign = headers.baggage === undefined ? undefined : foreignBaggage(headers.baggage);
    let incoming: IncomingTrace | undefined;
    if (this.continueIncoming) {
      if (headers['sentry-trace'] !== undefined || headers.traceparent !== undefined) {
        incoming = readIncomingTrace(headers);
      }
      // A tracestate belongs to the traceparent it came with; a new trace makes it stale.
      if (incoming === undefined) delete headers.tracestate;
    } else {
      stripIncomingTrace(headers);
    }
    const decision = decideTrace(incoming, rule.rate);
    this.ownDsc ??= new OwnDsc(sdk.identity);
    const dsc = this.ownDsc;
    const name = method + ' ' + template;
    let spanId: string;
    let span: RequestSpan | undefined;
    if (decision.sampled) {
      span = sdk.startRequestSpan(decision, name, dsc.object(decision, name), {
        'http.request.method': method,
        'http.route': template,
        'server.address': this.upstream,
        'sidecar.request_id': requestId,
      });
      spanId = span.spanId;
    } else {
      spanId = newSpanId();
    }
    // Built here rather than asked of the span: the same entries (a unit test holds them next to
    // the SDK's), at a fraction of the cost.
    const baggage = decision.frozenDsc
      ? dscToBaggage({ ...decision.frozenDsc, sample_rate: String(decision.sampleRate) })
      : dsc.baggage(decision, method + '%20' + rule.encodedTemplate);
    headers['sentry-trace'] = sentryTraceHeader(decision.traceId, spanId, decision.sampled);
    headers.traceparent = traceparentHeader(decision.traceId, spanId, decision.sampled);
    headers.baggage = mergeBaggage(baggage, foreign);
    return { decision, spanId, span, name };
  }

  /** The trace an error event of a traced request belongs to, or undefined. */
  eventTrace(trace: Partial<RequestTrace> | undefined): EventTrace | undefined {
    const d = trace?.decision;
    if (!d || !trace.spanId || !this.ownDsc) return undefined;
    return {
      traceId: d.traceId,
      spanId: trace.spanId,
      parentSpanId: d.parentSpanId,
      sampled: d.sampled,
      sampleRand: d.sampleRand,
      dsc: this.ownDsc.object(d, trace.name ?? ''),
    };
  }
}
