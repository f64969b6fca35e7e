import type { IncomingHttpHeaders } from 'node:http';
import { scrubText } from '../scrub/index.js';
import { newTraceId } from './trace-ids.js';

/**
 * Trace headers in and out: `sentry-trace` and `baggage` (Sentry's own format) and W3C
 * `traceparent`, so a backend running a Sentry or an OpenTelemetry SDK continues the trace the
 * sidecar started or continued. Pure functions: the proxy observer decides when they run.
 *
 * Incoming headers come from the public side of nginx, so nothing is passed on as received:
 * ids must match their exact format, and only the `sentry-*` baggage entries below survive,
 * each validated and scrubbed, because the dynamic sampling context is sent to Sentry in every
 * envelope header.
 */

/** The dynamic sampling context: `sentry-*` baggage entries without their prefix. */
export type Dsc = Record<string, string>;

export interface IncomingTrace {
  readonly traceId: string;
  readonly parentSpanId: string;
  readonly parentSampled: boolean | undefined;
  /** The caller's sampling context, when its baggage carried one for this trace. */
  readonly dsc: Dsc | undefined;
}

export interface TraceDecision {
  readonly traceId: string;
  readonly parentSpanId: string | undefined;
  readonly sampled: boolean;
  /** The trace's random number: a trace is sampled when `sampleRand < sampleRate` (Sentry's rule). */
  readonly sampleRand: number;
  readonly sampleRate: number;
  /** The incoming context this request continues (frozen: the head of the trace owns it). */
  readonly frozenDsc: Dsc | undefined;
}

const SENTRY_TRACE = /^[ \t]*([0-9a-f]{32})-([0-9a-f]{16})(?:-([01]))?[ \t]*$/;
const TRACEPARENT = /^[ \t]*00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})[ \t]*$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** W3C Baggage §3.3.1: at most 8,192 bytes; anything beyond is ignored, not parsed. */
const MAX_BAGGAGE = 8192;

const DSC_RULES: Readonly<Record<string, (v: string) => string | undefined>> = {
  trace_id: (v) => (/^[0-9a-f]{32}$/.test(v) ? v : undefined),
  public_key: (v) => (/^[0-9A-Za-z]{1,64}$/.test(v) ? v : undefined),
  org_id: (v) => (/^\d{1,20}$/.test(v) ? v : undefined),
  environment: (v) => (/^[^\s/]{1,64}$/.test(v) ? scrubText(v) : undefined),
  release: (v) => (/^[^\n\r\t/]{1,200}$/.test(v) ? scrubText(v) : undefined),
  transaction: (v) => (v.length <= 200 ? scrubText(v) : undefined),
  sampled: (v) => (v === 'true' || v === 'false' ? v : undefined),
  sample_rate: (v) => (isRate(v) ? v : undefined),
  sample_rand: (v) => (isRate(v) && Number(v) < 1 ? v : undefined),
};

function isRate(v: string): boolean {
  if (!/^\d*\.?\d+(?:[eE]-?\d+)?$/.test(v)) return false;
  const n = Number(v);
  return n >= 0 && n <= 1;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function splitBaggage(value: string | string[] | undefined): string[] {
  const text = single(value);
  if (!text) return [];
  return text
    .slice(0, MAX_BAGGAGE)
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
}

function isSentryMember(member: string): boolean {
  return member.startsWith('sentry-');
}

/** The validated `sentry-*` entries of a baggage header, or undefined when there are none. */
export function parseSentryBaggage(value: string | string[] | undefined): Dsc | undefined {
  let dsc: Dsc | undefined;
  for (const member of splitBaggage(value)) {
    if (!isSentryMember(member)) continue;
    const eq = member.indexOf('=');
    if (eq === -1) continue;
    const key = member.slice(7, eq).trim();
    const rule = DSC_RULES[key];
    if (!rule || Object.hasOwn(dsc ?? {}, key)) continue;
    let decoded: string;
    try {
      // Properties after `;` are metadata (W3C Baggage §3.2.1), not part of the value.
      decoded = decodeURIComponent(
        member
          .slice(eq + 1)
          .split(';')[0]!
          .trim(),
      );
    } catch {
      continue;
    }
    const safe = rule(decoded);
    if (safe === undefined) continue;
    dsc ??= {};
    dsc[key] = safe;
  }
  return dsc;
}

/** Baggage members that are not Sentry's: they belong to the caller and reach the backend untouched. */
export function foreignBaggage(value: string | string[] | undefined): string | undefined {
  const members = splitBaggage(value).filter((m) => !isSentryMember(m));
  return members.length > 0 ? members.join(',') : undefined;
}

/** The trace a caller asked to continue: `sentry-trace` first, W3C `traceparent` otherwise. */
export function readIncomingTrace(headers: IncomingHttpHeaders): IncomingTrace | undefined {
  const sentryTrace = single(headers['sentry-trace']);
  let match = sentryTrace ? SENTRY_TRACE.exec(sentryTrace) : null;
  let parentSampled: boolean | undefined;
  if (match) {
    parentSampled = match[3] === undefined ? undefined : match[3] === '1';
  } else {
    const traceparent = single(headers.traceparent);
    match = traceparent ? TRACEPARENT.exec(traceparent) : null;
    if (!match) return undefined;
    parentSampled = (Number.parseInt(match[3]!, 16) & 1) === 1;
  }
  const traceId = match[1]!;
  const parentSpanId = match[2]!;
  if (traceId === ZERO_TRACE || parentSpanId === ZERO_SPAN) return undefined;
  let dsc = parseSentryBaggage(headers.baggage);
  // A context about another trace is not this trace's context.
  if (dsc?.trace_id !== undefined && dsc.trace_id !== traceId) dsc = undefined;
  return { traceId, parentSpanId, parentSampled, dsc };
}

/**
 * The sampling decision, by Sentry's rules (`inheritOrSampleWith`): a caller's sample rate and
 * random number are inherited so the whole trace is sampled consistently; a caller's bare
 * sampled flag counts as rate 1 or 0; a new trace uses the route's rate.
 */
export function decideTrace(
  incoming: IncomingTrace | undefined,
  routeRate: number,
  random: () => number = Math.random,
): TraceDecision {
  if (incoming === undefined) {
    const sampleRand = random();
    return {
      traceId: newTraceId(),
      parentSpanId: undefined,
      sampled: sampleRand < routeRate,
      sampleRand,
      sampleRate: routeRate,
      frozenDsc: undefined,
    };
  }
  const dsc = incoming.dsc;
  const parentRate = dsc?.sample_rate === undefined ? undefined : Number(dsc.sample_rate);
  let sampleRand = dsc?.sample_rand === undefined ? undefined : Number(dsc.sample_rand);
  if (sampleRand === undefined) {
    // Derive a random number consistent with the caller's decision (Sentry's own derivation).
    if (parentRate !== undefined && incoming.parentSampled !== undefined) {
      sampleRand = incoming.parentSampled ? random() * parentRate : parentRate + random() * (1 - parentRate);
    } else {
      sampleRand = random();
    }
  }
  const sampleRate =
    parentRate ?? (incoming.parentSampled === undefined ? routeRate : incoming.parentSampled ? 1 : 0);
  const frozen: Dsc = dsc && Object.keys(dsc).length > 0 ? { ...dsc } : {};
  frozen.sample_rand = String(sampleRand);
  return {
    traceId: incoming.traceId,
    parentSpanId: incoming.parentSpanId,
    sampled: sampleRate > 0 && sampleRand < sampleRate,
    sampleRand,
    sampleRate,
    frozenDsc: frozen,
  };
}

export function sentryTraceHeader(traceId: string, spanId: string, sampled: boolean): string {
  return `${traceId}-${spanId}-${sampled ? '1' : '0'}`;
}

export function traceparentHeader(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

export function dscToBaggage(dsc: Dsc): string {
  let out = '';
  for (const key in dsc) {
    const value = dsc[key];
    if (value === undefined) continue;
    out += (out ? ',' : '') + 'sentry-' + key + '=' + encodeURIComponent(value);
  }
  return out;
}

/** The baggage header for the backend: the sidecar's Sentry entries plus the caller's own. */
export function mergeBaggage(sentryBaggage: string, foreign: string | undefined): string {
  return foreign ? `${sentryBaggage},${foreign}` : sentryBaggage;
}

/** `SENTRY_INCOMING_TRACE_HEADERS=ignore`: the caller's trace context does not reach the backend. */
export function stripIncomingTrace(headers: IncomingHttpHeaders): void {
  delete headers['sentry-trace'];
  delete headers.traceparent;
  delete headers.tracestate;
}
