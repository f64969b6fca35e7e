import { describe, expect, it } from 'vitest';
import { compileRoutePattern } from '../../src/config/routes.js';
import { OwnDsc, orgIdFromDsn } from '../../src/sentry/own-dsc.js';
import { RouteRules } from '../../src/sentry/route-rules.js';
import {
  decideTrace,
  dscToBaggage,
  foreignBaggage,
  mergeBaggage,
  parseSentryBaggage,
  readIncomingTrace,
  sentryTraceHeader,
  stripIncomingTrace,
  traceparentHeader,
} from '../../src/sentry/trace-propagation.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

describe('readIncomingTrace', () => {
  it('reads sentry-trace with and without a sampled flag', () => {
    expect(readIncomingTrace({ 'sentry-trace': `${T}-${S}-1` })).toEqual({
      traceId: T,
      parentSpanId: S,
      parentSampled: true,
      dsc: undefined,
    });
    expect(readIncomingTrace({ 'sentry-trace': `${T}-${S}` })?.parentSampled).toBeUndefined();
  });

  it('falls back to W3C traceparent and reads its sampled flag', () => {
    expect(readIncomingTrace({ traceparent: `00-${T}-${S}-01` })).toMatchObject({
      traceId: T,
      parentSampled: true,
    });
    expect(readIncomingTrace({ traceparent: `00-${T}-${S}-00` })?.parentSampled).toBe(false);
  });

  it.each([
    ['garbage', { 'sentry-trace': 'not-a-trace' }],
    ['upper-case hex', { 'sentry-trace': `${T.toUpperCase()}-${S}-1` }],
    ['an all-zero trace id', { 'sentry-trace': `${'0'.repeat(32)}-${S}-1` }],
    ['an all-zero span id', { traceparent: `00-${T}-${'0'.repeat(16)}-01` }],
    ['an unknown traceparent version', { traceparent: `ff-${T}-${S}-01` }],
    ['two headers joined', { 'sentry-trace': [`${T}-${S}-1`, `${T}-${S}-0`] }],
  ])('ignores %s', (_name, headers) => {
    expect(readIncomingTrace(headers)).toBeUndefined();
  });

  it('drops a baggage context that belongs to another trace', () => {
    const other = 'a'.repeat(32);
    expect(
      readIncomingTrace({ 'sentry-trace': `${T}-${S}-1`, baggage: `sentry-trace_id=${other}` })?.dsc,
    ).toBe(undefined);
  });
});

describe('parseSentryBaggage', () => {
  it('keeps known entries that validate, scrubbed', () => {
    expect(
      parseSentryBaggage(
        `sentry-trace_id=${T},sentry-public_key=abc123,sentry-sample_rate=0.25,sentry-sample_rand=0.1,sentry-sampled=true,sentry-environment=prod,sentry-transaction=GET%20%2Fu%2Fjane%40example.com,sentry-org_id=12`,
      ),
    ).toEqual({
      trace_id: T,
      public_key: 'abc123',
      sample_rate: '0.25',
      sample_rand: '0.1',
      sampled: 'true',
      environment: 'prod',
      transaction: 'GET /u/[Filtered]',
      org_id: '12',
    });
  });

  it('drops unknown entries, invalid values, duplicates and properties', () => {
    expect(
      parseSentryBaggage(
        'sentry-user_id=jane,sentry-sample_rate=2,sentry-sampled=yes,sentry-environment=a b,sentry-org_id=x,sentry-sample_rand=1,sentry-environment=prod;prop=1,sentry-environment=second,sentry-release=%E0%A4%A',
      ),
    ).toEqual({ environment: 'prod' });
    expect(parseSentryBaggage('vendor=1')).toBeUndefined();
    expect(parseSentryBaggage(undefined)).toBeUndefined();
  });

  it('ignores anything past the W3C size limit', () => {
    expect(parseSentryBaggage(`${'x=1,'.repeat(3000)}sentry-environment=prod`)).toBeUndefined();
  });
});

describe('decideTrace', () => {
  it('starts a new trace sampled at the route rate', () => {
    const sampled = decideTrace(undefined, 0.5, () => 0.25);
    expect(sampled).toMatchObject({
      sampled: true,
      sampleRand: 0.25,
      sampleRate: 0.5,
      parentSpanId: undefined,
    });
    expect(sampled.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(decideTrace(undefined, 0.5, () => 0.75).sampled).toBe(false);
    expect(decideTrace(undefined, 0, () => 0).sampled).toBe(false);
  });

  it("inherits the caller's rate and random number", () => {
    const d = decideTrace(
      { traceId: T, parentSpanId: S, parentSampled: true, dsc: { sample_rate: '0.3', sample_rand: '0.2' } },
      0.01,
    );
    expect(d).toMatchObject({ traceId: T, parentSpanId: S, sampled: true, sampleRand: 0.2, sampleRate: 0.3 });
    expect(d.frozenDsc).toEqual({ sample_rate: '0.3', sample_rand: '0.2' });
  });

  it("derives a random number consistent with the caller's decision", () => {
    const yes = decideTrace(
      { traceId: T, parentSpanId: S, parentSampled: true, dsc: { sample_rate: '0.1' } },
      1,
    );
    expect(yes.sampled).toBe(true);
    expect(yes.sampleRand).toBeLessThan(0.1);
    const no = decideTrace(
      { traceId: T, parentSpanId: S, parentSampled: false, dsc: { sample_rate: '0.1' } },
      1,
    );
    expect(no.sampled).toBe(false);
    expect(no.sampleRand).toBeGreaterThanOrEqual(0.1);
  });

  it('treats a bare sampled flag as rate 1 or 0, and no flag as the route rate', () => {
    const base = { traceId: T, parentSpanId: S, dsc: undefined };
    expect(decideTrace({ ...base, parentSampled: true }, 0).sampled).toBe(true);
    expect(decideTrace({ ...base, parentSampled: false }, 1).sampled).toBe(false);
    expect(decideTrace({ ...base, parentSampled: undefined }, 1, () => 0.5)).toMatchObject({
      sampled: true,
      sampleRate: 1,
      frozenDsc: { sample_rand: '0.5' },
    });
  });
});

describe('outgoing headers', () => {
  it('formats sentry-trace, traceparent and baggage', () => {
    expect(sentryTraceHeader(T, S, true)).toBe(`${T}-${S}-1`);
    expect(traceparentHeader(T, S, false)).toBe(`00-${T}-${S}-00`);
    expect(dscToBaggage({ trace_id: T, transaction: 'GET /a b' })).toBe(
      `sentry-trace_id=${T},sentry-transaction=GET%20%2Fa%20b`,
    );
    expect(mergeBaggage('sentry-a=1', 'vendor=x')).toBe('sentry-a=1,vendor=x');
    expect(mergeBaggage('sentry-a=1', undefined)).toBe('sentry-a=1');
  });

  it("keeps the caller's own baggage members and drops its sentry ones", () => {
    expect(foreignBaggage('sentry-trace_id=x, vendor=1 ,other=2;p=1')).toBe('vendor=1,other=2;p=1');
    expect(foreignBaggage('sentry-trace_id=x')).toBeUndefined();
  });

  it('strips the trace context for SENTRY_INCOMING_TRACE_HEADERS=ignore', () => {
    const headers = { 'sentry-trace': 'x', traceparent: 'y', tracestate: 'z', baggage: 'vendor=1' };
    stripIncomingTrace(headers);
    expect(headers).toEqual({ baggage: 'vendor=1' });
  });

  it("builds the sidecar's own sampling context in the SDK's order", () => {
    const dsc = new OwnDsc({ environment: 'prod', release: 'r@1', publicKey: 'pk', orgId: '7' });
    const d = decideTrace(undefined, 0.1, () => 0.5);
    expect(dsc.baggage(d, 'GET%20%2Fa')).toBe(
      `sentry-environment=prod,sentry-release=r%401,sentry-public_key=pk,sentry-trace_id=${d.traceId},sentry-org_id=7,sentry-transaction=GET%20%2Fa,sentry-sampled=false,sentry-sample_rand=0.5,sentry-sample_rate=0.1`,
    );
    expect(dsc.object(d, 'GET /a')).toEqual({
      environment: 'prod',
      release: 'r@1',
      public_key: 'pk',
      trace_id: d.traceId,
      org_id: '7',
      transaction: 'GET /a',
      sampled: 'false',
      sample_rand: '0.5',
      sample_rate: '0.1',
    });
    expect(orgIdFromDsn('https://k@o123.ingest.sentry.io/4')).toBe('123');
    expect(orgIdFromDsn('http://k@127.0.0.1:9000/4')).toBeUndefined();
  });
});

describe('RouteRules', () => {
  const rules = new RouteRules(
    ['/health', '/docs/*'].map(compileRoutePattern),
    [
      { pattern: compileRoutePattern('/api/events/*'), rate: 0.01 },
      { pattern: compileRoutePattern('/api/users/:id'), rate: 0.5 },
    ],
    0.1,
  );

  it('excludes routes, applies the first matching rate, defaults otherwise', () => {
    expect(rules.ruleFor('/health').traced).toBe(false);
    expect(rules.ruleFor('/docs/:id').traced).toBe(false);
    expect(rules.ruleFor('/api/events/batch')).toMatchObject({ traced: true, rate: 0.01 });
    expect(rules.ruleFor('/api/users/:id')).toMatchObject({ traced: true, rate: 0.5 });
    expect(rules.ruleFor('/api/orders')).toEqual({
      traced: true,
      rate: 0.1,
      encodedTemplate: '%2Fapi%2Forders',
    });
  });
});
