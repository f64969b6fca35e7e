import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FailingBackend, startFailingBackend } from '../../fixtures/failing-backend.js';
import { spawnSidecar } from '../../helpers/child-sidecar.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type SentrySink, type SinkMode, startSentrySink } from '../../helpers/sentry-sink.js';

/**
 * SIGTERM with Sentry events still on their way: the real sidecar process (src/main.ts) flushes
 * them before it exits, and a Sentry that never answers cannot hold the exit past the shutdown
 * budget. Each case runs its own sidecar process, so each gets its own Sentry client.
 */

let backend: FailingBackend;
let sink: SentrySink;

beforeAll(async () => {
  backend = await startFailingBackend();
  sink = await startSentrySink();
});

afterAll(async () => {
  await backend?.close();
  await sink?.kill();
});

async function failThrough(proxyUrl: string, count: number, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${proxyUrl}/api/fail?status=500&n=${i}`, {
      headers: { 'x-request-id': `${prefix}-${i}` },
    });
    expect(res.status).toBe(500);
    await res.arrayBuffer();
  }
}

/** A sidecar reporting to the sink, which answers as `mode` says. */
async function sidecarWithSink(mode: SinkMode, env: Record<string, string>) {
  await sink.reset();
  await sink.setMode(mode);
  return spawnSidecar({ UPSTREAM_URL: backend.url, SENTRY_DSN: sink.dsn, ...env });
}

describe('shutdown with pending Sentry events', () => {
  it('flushes what is still queued on SIGTERM, then exits 0 within the budget', async () => {
    // Envelopes are answered after 300 ms: at SIGTERM, right after the last response, the
    // events and spans of the last requests are still pending.
    const sidecar = await sidecarWithSink(
      { mode: 'slow', delayMs: 300 },
      {
        SENTRY_TRACES_SAMPLE_RATE: '1',
        SHUTDOWN_TIMEOUT_MS: '4000',
        SENTRY_FLUSH_TIMEOUT_MS: '2000',
      },
    );
    await failThrough(sidecar.proxyUrl, 3, 'flush');
    const stopping = Date.now();
    const code = await sidecar.stop('SIGTERM');
    const elapsedMs = Date.now() - stopping;
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(4000);
    const events = await sink.events();
    const ids = events.map((e) => e.contexts?.sidecar?.request_id).sort();
    expect(ids).toEqual(['flush-0', 'flush-1', 'flush-2']);
    const spans = await sink.spans();
    const spanRequests = spans.map((s) => s.attributes['sidecar.request_id']?.value).sort();
    expect(spanRequests).toEqual(['flush-0', 'flush-1', 'flush-2']);
    expect(sidecar.lines().some((l) => l.msg === 'stopped')).toBe(true);
    expect(sidecar.lines().some((l) => String(l.msg).includes('still pending'))).toBe(false);
  });

  it('does not let a Sentry that never answers hold the exit past SHUTDOWN_TIMEOUT_MS', async () => {
    const sidecar = await sidecarWithSink(
      { mode: 'hang' },
      {
        SENTRY_ENABLE_TRACING: 'false',
        SHUTDOWN_TIMEOUT_MS: '1500',
        SENTRY_TRANSPORT_TIMEOUT_MS: '60000',
      },
    );
    await failThrough(sidecar.proxyUrl, 2, 'hang');
    await sink.waitFor((envelopes) => envelopes.length >= 2);
    const stopping = Date.now();
    const code = await sidecar.stop('SIGTERM');
    const elapsedMs = Date.now() - stopping;
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(1500 + 1000);
    expect(
      sidecar.lines().some((l) => l.msg === 'Sentry events still pending at shutdown were dropped'),
    ).toBe(true);
    await sink.setMode({ mode: 'ok' });
  });

  it('tells Sentry on SIGTERM how many events it could not deliver (a client report)', async () => {
    const sidecar = await sidecarWithSink(
      { mode: 'hang' },
      {
        SENTRY_ENABLE_TRACING: 'false',
        SENTRY_TRANSPORT_TIMEOUT_MS: '200',
      },
    );
    await failThrough(sidecar.proxyUrl, 2, 'lost');
    const deadline = Date.now() + 5000;
    let dropped = 0;
    while (dropped < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      dropped = valueOf(await scrape(sidecar.adminUrl), 'sidecar_sentry_events_total', {
        outcome: 'dropped',
      });
    }
    expect(dropped).toBe(2);
    await sink.setMode({ mode: 'ok' });
    expect(await sidecar.stop('SIGTERM')).toBe(0);
    const reports = (await sink.envelopes()).flatMap((e) =>
      e.envelope.items.filter((i) => i.header.type === 'client_report').map((i) => i.payload),
    ) as Array<{ discarded_events: Array<{ reason: string; category: string; quantity: number }> }>;
    const discarded = reports.flatMap((r) => r.discarded_events);
    expect(discarded).toContainEqual({ reason: 'network_error', category: 'error', quantity: 2 });
  });
});
