import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_METRICS } from '../../src/system/scheduler-metrics.js';
import type { ChildSidecar } from '../helpers/child-sidecar.js';
import { eventually } from '../helpers/http.js';
import { parseMetrics, type Sample, scrape, valueOf } from '../helpers/prometheus-text.js';
import { type SentrySink, startSentrySink } from '../helpers/sentry-sink.js';
import { percentile, runLoad, statusCounts, summary, type Tally } from './support/load.js';
import { type BackendProcess, spawnProductionSidecar, startBackendProcess } from './support/processes.js';

/**
 * Nothing on the request path waits for Sentry, for a scrape or for a system collector. Under load,
 * a Sentry that answers 429, hangs or is gone, a Prometheus scraping every 100 ms, and a collector
 * that never returns leave the statuses the clients get exactly as they were, their latency within
 * a small ratio of the baseline, and every count exact.
 */

const DURATION_COUNT = 'http_server_request_duration_seconds_count';
const PHASE = Number(process.env.RELIABILITY_PHASE_REQUESTS ?? 10_000);
const CONCURRENCY = 32;

/** One in five requests is a backend 5xx, i.e. one Sentry event each. */
const spec = (i: number) =>
  i % 5 === 0 ? { path: `/api/fail?status=${500 + (i % 4)}` } : { path: `/api/users/${i % 1000}` };

function expected(total: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < total; i++) {
    const status = i % 5 === 0 ? String(500 + (i % 4)) : '200';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

function recordedByStatus(samples: Sample[]): Record<string, number> {
  const recorded: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== DURATION_COUNT) continue;
    const status = s.labels.http_response_status_code!;
    recorded[status] = (recorded[status] ?? 0) + s.value;
  }
  return recorded;
}

const OUTCOMES = ['sent', 'sentry_rate_limited', 'queue_overflow', 'dropped', 'filtered', 'rate_limited'];
const outcomes = (s: Sample[]) =>
  OUTCOMES.reduce((sum, o) => sum + (valueOf(s, 'sidecar_sentry_events_total', { outcome: o }) || 0), 0);

describe('Sentry down, hanging or answering 429 during load', () => {
  let backend: BackendProcess;
  let sink: SentrySink;
  let sidecar: ChildSidecar;
  let baseline: Tally;
  let errorsSoFar = 0;

  beforeAll(async () => {
    backend = await startBackendProcess();
    sink = await startSentrySink();
    sidecar = await spawnProductionSidecar({
      UPSTREAM_URL: backend.url,
      SENTRY_DSN: sink.dsn,
      SENTRY_TRACES_SAMPLE_RATE: '1',
      SENTRY_TRANSPORT_TIMEOUT_MS: '1000',
      SENTRY_MAX_EVENTS_PER_MINUTE: '1000000',
      SENTRY_MAX_EVENTS_PER_FINGERPRINT_PER_MINUTE: '1000000',
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
    await sink?.kill();
  });

  async function phase(name: string): Promise<Tally> {
    const tally = await runLoad(sidecar.proxyUrl, { total: PHASE, concurrency: CONCURRENCY, spec });
    console.log(`Sentry ${name}: ${summary(tally)}`);
    expect(statusCounts(tally)).toEqual(expected(PHASE));
    errorsSoFar += PHASE / 5;
    // Every error event ends in exactly one outcome, whatever Sentry did.
    const settled = await eventually(
      async () => {
        const s = await scrape(sidecar.adminUrl);
        return outcomes(s) === errorsSoFar ? s : undefined;
      },
      15_000,
      100,
    );
    expect(outcomes(settled)).toBe(errorsSoFar);
    return tally;
  }

  function unchanged(tally: Tally): void {
    // Latency as a ratio of the healthy baseline: the two cores are shared with the load
    // generator, the backend and the sink, so only a gross difference means anything.
    const p50 = percentile(tally.latencies, 50);
    const base = percentile(baseline.latencies, 50);
    expect(p50).toBeLessThan(Math.max(base * 3, base + 10));
  }

  it('baseline: Sentry healthy', async () => {
    baseline = await phase('healthy');
    const s = await scrape(sidecar.adminUrl);
    expect(valueOf(s, 'sidecar_sentry_events_total', { outcome: 'sent' })).toBeGreaterThan(0);
  });

  it('Sentry answering 429: same statuses, latency within 3× the baseline', async () => {
    await sink.setMode({ mode: '429', retryAfterSeconds: 1 });
    unchanged(await phase('answering 429'));
  });

  it('Sentry hanging: same statuses, latency within 3× the baseline', async () => {
    await sink.setMode({ mode: 'hang' });
    unchanged(await phase('hanging'));
  });

  it('Sentry gone: same statuses, latency within 3× the baseline', async () => {
    await sink.kill();
    unchanged(await phase('refusing connections'));
    const s = await scrape(sidecar.adminUrl);
    expect(recordedByStatus(s)).toEqual(
      Object.fromEntries(Object.entries(expected(PHASE)).map(([k, v]) => [k, 4 * v])),
    );
    expect(sidecar.child.exitCode).toBeNull();
  });
});

describe('scrapes every 100 ms and a collector that hangs, during load', () => {
  let backend: BackendProcess;
  let sidecar: ChildSidecar;
  let silent: net.Server;
  const held: net.Socket[] = [];

  beforeAll(async () => {
    // Accepts TCP connections and never says a word: a TLS handshake with it never ends.
    silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    backend = await startBackendProcess();
    sidecar = await spawnProductionSidecar({
      UPSTREAM_URL: backend.url,
      SYSTEM_METRICS_INTERVAL_MS: '100',
      SYSTEM_METRICS_TIMEOUT_MS: '600000',
      TLS_PROBE_TARGETS: `127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
    });
    await eventually(() => held.length > 0);
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('answers every scrape, counts every request exactly, and keeps the latency', async () => {
    const quiet = await runLoad(sidecar.proxyUrl, { total: PHASE, concurrency: CONCURRENCY, spec });
    console.log(`no scrapes: ${summary(quiet)}`);

    let scraping = true;
    const scrapeMs: number[] = [];
    const counts: number[] = [];
    const scraper = (async () => {
      while (scraping) {
        const started = performance.now();
        const res = await fetch(`${sidecar.adminUrl}/metrics`);
        const text = await res.text();
        scrapeMs.push(performance.now() - started);
        expect(res.status).toBe(200);
        counts.push(valueOf(parseMetrics(text), DURATION_COUNT));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const scraped = await runLoad(sidecar.proxyUrl, { total: PHASE, concurrency: CONCURRENCY, spec });
    scraping = false;
    await scraper;
    scrapeMs.sort((a, b) => a - b);
    console.log(
      `scraped every 100 ms, certificates collector hung: ${summary(scraped)}; ${scrapeMs.length} scrapes, ` +
        `median ${scrapeMs[Math.floor(scrapeMs.length / 2)]!.toFixed(1)} ms, max ${scrapeMs.at(-1)!.toFixed(1)} ms`,
    );
    expect(statusCounts(scraped)).toEqual(expected(PHASE));
    expect(scrapeMs.length).toBeGreaterThan(5);
    // The request counter only ever grows between scrapes.
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThanOrEqual(counts[i - 1]!);
    const p50 = percentile(scraped.latencies, 50);
    const base = percentile(quiet.latencies, 50);
    expect(p50).toBeLessThan(Math.max(base * 3, base + 10));

    const s = await scrape(sidecar.adminUrl);
    expect(recordedByStatus(s)).toEqual(
      Object.fromEntries(Object.entries(expected(PHASE)).map(([k, v]) => [k, 2 * v])),
    );
    // Still hanging: the certificates collector never finished, the others kept running.
    expect(valueOf(s, COLLECTOR_METRICS.lastSuccess.name, { collector: 'certificates' })).toBeNaN();
    expect(valueOf(s, COLLECTOR_METRICS.lastSuccess.name, { collector: 'host' })).toBeGreaterThan(
      Date.now() / 1000 - 5,
    );
  });
});
