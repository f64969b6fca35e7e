import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FailingBackend } from '../../fixtures/failing-backend.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import type { SentrySink } from '../../helpers/sentry-sink.js';
import { type SentryStack, startSentryStack } from '../../helpers/sentry-stack.js';
import type { RunningSidecar } from '../../helpers/sidecar.js';

/**
 * The per-minute caps: at most 3 events per fingerprint and 5 overall here. Identical errors are
 * not merged away (the SDK's Dedupe integration is off): each repeat within the cap reaches
 * Sentry, each one over it is counted. Tracing is off in this file, which also shows that the
 * sidecar then leaves trace headers alone.
 */

let sink: SentrySink;
let backend: FailingBackend;
let stack: RunningSidecar;
let stop: SentryStack['stop'];

beforeAll(async () => {
  ({ sink, backend, stack, stop } = await startSentryStack({
    SENTRY_ENABLE_TRACING: 'false',
    SENTRY_MAX_EVENTS_PER_MINUTE: '5',
    SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE: '3',
  }));
});

afterAll(() => stop?.());

async function fail(status: number, id: string) {
  const res = await fetch(`${stack.proxyUrl}/api/fail?status=${status}`, { headers: { 'x-request-id': id } });
  await res.arrayBuffer();
  expect(res.status).toBe(status);
}

describe('rate limits per fingerprint and per minute', () => {
  it('sends identical back-to-back errors up to the fingerprint cap and counts the rest', async () => {
    for (let i = 0; i < 6; i++) await fail(500, `same-${i}`);
    const events = await sink.waitFor((envs) => {
      const found = envs.flatMap((e) => e.envelope.items.filter((item) => item.header.type === 'event'));
      return found.length >= 3 && found;
    });
    expect(events).toHaveLength(3);
    const fingerprints = events.map((item) =>
      (item.payload as { fingerprint: string[] }).fingerprint.join('|'),
    );
    expect(new Set(fingerprints)).toEqual(new Set(['backend-5xx|GET|/api/fail|500']));
    const samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, 'sidecar_sentry_events_total', { outcome: 'rate_limited' })).toBe(3);
  });

  it('caps all fingerprints together per minute', async () => {
    for (let i = 0; i < 4; i++) await fail(502, `other-${i}`);
    await sink.waitFor((envs) => envs.length >= 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = await sink.events();
    expect(events).toHaveLength(5);
    expect(events.filter((e) => e.fingerprint?.includes('502'))).toHaveLength(2);
    const samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, 'sidecar_sentry_events_total', { outcome: 'sent' })).toBe(5);
    expect(valueOf(samples, 'sidecar_sentry_events_total', { outcome: 'rate_limited' })).toBe(5);
  });

  it('shows held-back repeats on the latest /errors entry of their fingerprint', async () => {
    const body = (await (await fetch(`${stack.adminUrl}/errors`)).json()) as {
      errors: Array<{ fingerprint: string[]; suppressed: number; request_id: string }>;
    };
    expect(body.errors).toHaveLength(5);
    const latest500 = body.errors.find((e) => e.fingerprint.includes('500'));
    const latest502 = body.errors.find((e) => e.fingerprint.includes('502'));
    expect(latest500).toMatchObject({ request_id: 'same-2', suppressed: 3 });
    expect(latest502).toMatchObject({ request_id: 'other-1', suppressed: 2 });
  });

  it('with tracing off, adds no trace headers and no exemplars', async () => {
    const res = await fetch(`${stack.proxyUrl}/api/items/1`, {
      headers: {
        'x-request-id': 'untraced',
        'sentry-trace': 'ffffffffffffffffffffffffffffffff-eeeeeeeeeeeeeeee-1',
      },
    });
    expect(res.status).toBe(200);
    const seen = backend.seen.get('untraced');
    expect(seen?.['sentry-trace']).toBe('ffffffffffffffffffffffffffffffff-eeeeeeeeeeeeeeee-1');
    expect(seen?.traceparent).toBeUndefined();
    expect(seen?.baggage).toBeUndefined();
    const metrics = await (
      await fetch(`${stack.adminUrl}/metrics`, { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    expect(metrics).not.toContain('trace_id=');
    expect(await sink.spans()).toHaveLength(0);
  });
});
