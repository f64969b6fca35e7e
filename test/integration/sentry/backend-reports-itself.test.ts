import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsIn, spansIn } from '../../helpers/sentry-sink.js';
import { type SentryStack, startSentryStack } from '../../helpers/sentry-stack.js';

/**
 * SENTRY_CAPTURE_BACKEND_5XX=false, for a backend that reports its own exceptions with a Sentry
 * SDK: its 5xx answers are not sent a second time, while the sidecar's own failures still are,
 * and the sidecar's span still heads the trace the backend's SDK continues.
 */
let s: SentryStack;

beforeAll(async () => {
  s = await startSentryStack({
    SENTRY_CAPTURE_BACKEND_5XX: 'false',
    SENTRY_TRACES_SAMPLE_RATE: '1',
    UPSTREAM_TIMEOUT_MS: '300',
  });
});

afterAll(async () => {
  await s?.stop();
});

async function get(path: string, id: string) {
  const res = await fetch(`${s.stack.proxyUrl}${path}`, { headers: { 'x-request-id': id } });
  await res.arrayBuffer();
  return res.status;
}

const eventOf = (events: ReturnType<typeof eventsIn>, id: string) =>
  events.find((e) => (e.contexts?.sidecar as { request_id?: string } | undefined)?.request_id === id);

describe('a backend that reports its own failures', () => {
  it("sends no event for the backend's 5xx, but still the span that carries the trace to it", async () => {
    expect(await get('/api/fail?status=500', 'own-500')).toBe(500);
    const seen = s.backend.seen.get('own-500');
    const [traceId, spanId] = String(seen?.['sentry-trace']).split('-');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const span = await s.sink.waitFor((envs) => spansIn(envs).find((sp) => sp.span_id === spanId));
    expect(span.trace_id).toBe(traceId);
    // The timeout below is reported; by then the 500's event would have been sent too.
    expect(await get('/api/hang', 'own-timeout')).toBe(504);
    await s.sink.waitFor((envs) => eventOf(eventsIn(envs), 'own-timeout'));
    expect(eventOf(await s.sink.events(), 'own-500')).toBeUndefined();
  });

  it('still reports what only the sidecar sees: a backend that drops the connection', async () => {
    expect(await get('/api/crash', 'own-crash')).toBe(502);
    const event = await s.sink.waitFor((envs) => eventOf(eventsIn(envs), 'own-crash'));
    expect(event.tags).toMatchObject({ status: '502' });
  });
});
