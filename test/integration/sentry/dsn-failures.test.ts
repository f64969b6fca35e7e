import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMetrics, type Sample, valueOf } from '../../helpers/prometheus-text.js';
import type { SentrySink } from '../../helpers/sentry-sink.js';
import { type SentryStack, startSentryStack } from '../../helpers/sentry-stack.js';
import type { RunningSidecar } from '../../helpers/sidecar.js';

/**
 * Sentry answering 429, hanging, or refusing connections must not change what clients get or
 * how fast they get it. The transport queue is kept small here so it overflows, and every error
 * event ends in exactly one outcome of sidecar_sentry_events_total.
 */

const QUEUE = 4;
const REQUESTS = 80;
const ERRORS_PER_PHASE = REQUESTS / 2;

let sink: SentrySink;
let stack: RunningSidecar;
let stop: SentryStack['stop'];
let baseline: LoadResult;

interface LoadResult {
  statuses: Record<number, number>;
  p50: number;
  p95: number;
}

/** 80 requests from 8 concurrent clients, half of them backend 5xx (each one a Sentry event). */
async function load(): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const path = i % 2 === 0 ? `/api/fail?status=500&i=${i}` : `/api/items/${i}`;
      const started = performance.now();
      const res = await fetch(`${stack.proxyUrl}${path}`);
      await res.arrayBuffer();
      latencies.push(performance.now() - started);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  latencies.sort((a, b) => a - b);
  return {
    statuses,
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p95: latencies[Math.floor(latencies.length * 0.95)]!,
  };
}

async function metrics(): Promise<Sample[]> {
  return parseMetrics(await (await fetch(`${stack.adminUrl}/metrics`)).text());
}

function outcome(samples: Sample[], name: string): number {
  return valueOf(samples, 'sidecar_sentry_events_total', { outcome: name });
}

function total(samples: Sample[]): number {
  return ['sent', 'sentry_rate_limited', 'queue_overflow', 'dropped', 'filtered', 'rate_limited']
    .map((o) => outcome(samples, o))
    .reduce((a, b) => a + b, 0);
}

async function poll(read: () => Promise<Sample[]>, ok: (s: Sample[]) => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await read();
    if (ok(samples) || Date.now() > deadline) return samples;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every error event sent so far has an outcome; returns the metrics then. */
function settled(expectedTotal: number): Promise<Sample[]> {
  return poll(metrics, (samples) => total(samples) === expectedTotal);
}

function expectUnchanged(result: LoadResult): void {
  expect(result.statuses).toEqual({ 200: ERRORS_PER_PHASE, 500: ERRORS_PER_PHASE });
  expect(result.p50).toBeLessThanOrEqual(Math.max(baseline.p50 * 2, baseline.p50 + 5));
  expect(result.p95).toBeLessThanOrEqual(Math.max(baseline.p95 * 3, baseline.p95 + 25));
}

beforeAll(async () => {
  ({ sink, stack, stop } = await startSentryStack({
    SENTRY_TRACES_SAMPLE_RATE: '1',
    SENTRY_TRANSPORT_QUEUE_SIZE: String(QUEUE),
    SENTRY_TRANSPORT_TIMEOUT_MS: '600',
    SENTRY_MAX_EVENTS_PER_MINUTE: '100000',
    SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE: '100000',
  }));
});

afterAll(() => stop?.());

describe('a Sentry that is down, slow or rate limiting', () => {
  let before: Sample[];

  it('baseline: Sentry healthy, every event sent or counted as overflow', async () => {
    baseline = await load();
    expect(baseline.statuses).toEqual({ 200: ERRORS_PER_PHASE, 500: ERRORS_PER_PHASE });
    before = await settled(ERRORS_PER_PHASE);
    expect(outcome(before, 'sent') + outcome(before, 'queue_overflow')).toBe(ERRORS_PER_PHASE);
    expect(outcome(before, 'sent')).toBeGreaterThan(0);
  });

  it('Sentry answering 429: same statuses and latency, events counted as sentry_rate_limited', async () => {
    await sink.setMode({ mode: '429', retryAfterSeconds: 1 });
    const result = await load();
    expectUnchanged(result);
    const after = await settled(2 * ERRORS_PER_PHASE);
    const limited = outcome(after, 'sentry_rate_limited') - outcome(before, 'sentry_rate_limited');
    const overflow = outcome(after, 'queue_overflow') - outcome(before, 'queue_overflow');
    expect(limited).toBeGreaterThan(0);
    expect(limited + overflow).toBe(ERRORS_PER_PHASE);
    before = after;
    // Let the SDK's one-second backoff run out before the next phase.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  });

  it('Sentry hanging: same statuses and latency, the bounded queue overflows, hung sends time out', async () => {
    await sink.setMode({ mode: 'hang' });
    const result = await load();
    expectUnchanged(result);
    const during = await metrics();
    expect(valueOf(during, 'sidecar_sentry_transport_in_flight')).toBeLessThanOrEqual(QUEUE);
    expect(outcome(during, 'queue_overflow') - outcome(before, 'queue_overflow')).toBeGreaterThanOrEqual(
      ERRORS_PER_PHASE - QUEUE,
    );
    // After SENTRY_TRANSPORT_TIMEOUT_MS the hung requests are given up and their slots freed.
    const after = await settled(3 * ERRORS_PER_PHASE);
    const overflow = outcome(after, 'queue_overflow') - outcome(before, 'queue_overflow');
    const dropped = outcome(after, 'dropped') - outcome(before, 'dropped');
    expect(dropped).toBeGreaterThan(0);
    expect(overflow + dropped).toBe(ERRORS_PER_PHASE);
    // Spans and client reports held slots too; they time out the same way.
    const drained = await poll(metrics, (m) => valueOf(m, 'sidecar_sentry_transport_in_flight') === 0);
    expect(valueOf(drained, 'sidecar_sentry_transport_in_flight')).toBe(0);
    before = after;
  });

  it('Sentry refusing connections: same statuses and latency, events counted as dropped', async () => {
    await sink.kill();
    const result = await load();
    expectUnchanged(result);
    const after = await settled(4 * ERRORS_PER_PHASE);
    const dropped = outcome(after, 'dropped') - outcome(before, 'dropped');
    const overflow = outcome(after, 'queue_overflow') - outcome(before, 'queue_overflow');
    expect(dropped).toBeGreaterThan(0);
    expect(dropped + overflow).toBe(ERRORS_PER_PHASE);
  });

  it('still lists the errors at GET /errors, marked as not delivered', async () => {
    const body = (await (await fetch(`${stack.adminUrl}/errors?limit=10`)).json()) as {
      errors: Array<{ kind: string; sentry: string }>;
    };
    expect(body.errors).toHaveLength(10);
    expect(body.errors.every((e) => e.kind === 'backend_5xx')).toBe(true);
    expect(body.errors.every((e) => e.sentry === 'failed' || e.sentry === 'pending')).toBe(true);
  });
});
