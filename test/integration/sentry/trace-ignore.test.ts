import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailingBackend } from '../../fixtures/failing-backend.js';
import { type SentrySink, spansIn } from '../../helpers/sentry-sink.js';
import { type SentryStack, startSentryStack } from '../../helpers/sentry-stack.js';
import type { RunningSidecar } from '../../helpers/sidecar.js';

/** SENTRY_INCOMING_TRACE_HEADERS=ignore: a client's trace context never reaches the backend. */

let sink: SentrySink;
let backend: FailingBackend;
let stack: RunningSidecar;
let stop: SentryStack['stop'];

beforeAll(async () => {
  ({ sink, backend, stack, stop } = await startSentryStack({
    SENTRY_TRACES_SAMPLE_RATE: '1',
    SENTRY_INCOMING_TRACE_HEADERS: 'ignore',
  }));
});

afterAll(() => stop?.());

describe('ignoring client trace headers', () => {
  it('starts a new trace, drops the client trace state and keeps foreign baggage', async () => {
    const clientTrace = 'abcdefabcdefabcdefabcdefabcdefab';
    const res = await fetch(`${stack.proxyUrl}/api/items/5`, {
      headers: {
        'x-request-id': 'ignored-trace',
        'sentry-trace': `${clientTrace}-1234567812345678-0`,
        traceparent: `00-${clientTrace}-1234567812345678-00`,
        tracestate: 'vendor=opaque',
        baggage: `sentry-trace_id=${clientTrace},sentry-sampled=false,vendor=keep`,
      },
    });
    expect(res.status).toBe(200);
    const seen = backend.seen.get('ignored-trace');
    const [traceId, spanId, sampled] = String(seen?.['sentry-trace']).split('-');
    expect(traceId).not.toBe(clientTrace);
    expect(sampled).toBe('1');
    expect(seen?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
    expect(seen?.tracestate).toBeUndefined();
    expect(String(seen?.baggage)).toContain('vendor=keep');
    expect(String(seen?.baggage)).not.toContain(clientTrace);
    const span = await sink.waitFor((envs) => spansIn(envs).find((s) => s.span_id === spanId));
    expect(span.trace_id).toBe(traceId);
    expect(span.parent_span_id).toBeUndefined();
  });
});
