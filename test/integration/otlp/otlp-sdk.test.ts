import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBackend, startDemoBackend } from '../../../examples/demo/backend.js';
import { request } from '../../helpers/http.js';
import { startSdk } from '../../helpers/otlp-sdk.js';
import { type Sample, scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * The real OpenTelemetry JavaScript SDK exporting to POST /v1/metrics, with the protobuf and the
 * JSON exporter, in cumulative and delta temporality: /metrics then holds each instrument as
 * the Prometheus compatibility specification translates it, to the data point.
 */
const TOKEN = 'otlp-test-token-0123456789abcdef';
let backend: DemoBackend;
let sidecar: RunningSidecar;

beforeAll(async () => {
  backend = await startDemoBackend();
  sidecar = await startSidecar(backend.url, { INGEST_TOKEN: TOKEN });
});
afterAll(async () => {
  await sidecar.close();
  await backend.close();
});

const TARGET = { job: 'shop/checkout', instance: 'checkout-1', otel_scope_name: 'checkout-meter' };

async function record(encoding: 'protobuf' | 'json', temporality: 'delta' | 'cumulative', service: string) {
  const sdk = startSdk({
    adminUrl: sidecar.adminUrl,
    encoding,
    temporality,
    token: TOKEN,
    resource: { 'service.instance.id': service },
  });
  const { meter } = sdk;
  const jobs = meter.createCounter('app.jobs.processed', { unit: '{job}', description: 'Jobs processed.' });
  const depth = meter.createUpDownCounter('app.queue.depth', { unit: '{job}' });
  const temperature = meter.createGauge('app.temperature', { unit: 'Cel' });
  const duration = meter.createHistogram('app.job.duration', { unit: 's' });
  const size = meter.createHistogram('app.payload.size', { unit: 'By' });
  jobs.add(3, { queue: 'mail' });
  depth.add(5, { queue: 'mail' });
  temperature.record(21.5, { room: 'a' });
  for (const s of [0.05, 0.5, 5]) duration.record(s, { queue: 'mail' });
  for (const b of [100, 1000]) size.record(b);
  await sdk.flush();
  jobs.add(2, { queue: 'mail' });
  depth.add(-2, { queue: 'mail' });
  temperature.record(19, { room: 'a' });
  duration.record(50, { queue: 'mail' });
  size.record(1000);
  await sdk.flush();
  await sdk.shutdown();
  return scrape(sidecar.adminUrl);
}

function expectTranslated(samples: Sample[], instance: string) {
  const t = { ...TARGET, instance };
  expect(
    valueOf(samples, 'app_jobs_processed_total', { ...t, queue: 'mail', otel_scope_version: '1.2.0' }),
  ).toBe(5);
  expect(valueOf(samples, 'app_queue_depth', { ...t, queue: 'mail' })).toBe(3);
  expect(valueOf(samples, 'app_temperature_celsius', { ...t, room: 'a' })).toBe(19);
  const bucket = (le: string) =>
    valueOf(samples, 'app_job_duration_seconds_bucket', { ...t, queue: 'mail', le });
  expect([bucket('0.1'), bucket('1'), bucket('10'), bucket('+Inf')]).toEqual([1, 2, 3, 4]);
  expect(valueOf(samples, 'app_job_duration_seconds_sum', { ...t, queue: 'mail' })).toBeCloseTo(55.55, 9);
  expect(valueOf(samples, 'app_job_duration_seconds_count', { ...t, queue: 'mail' })).toBe(4);
  // The exponential histogram on powers of two: 100 ≤ 128, 1000 ≤ 1024.
  const size = (le: string) => valueOf(samples, 'app_payload_size_bytes_bucket', { ...t, le });
  expect([size('128'), size('1024'), size('+Inf')]).toEqual([1, 3, 3]);
  expect(valueOf(samples, 'app_payload_size_bytes_sum', t)).toBe(2100);
  expect(
    valueOf(samples, 'target_info', { job: 'shop/checkout', instance, deployment_environment_name: 'test' }),
  ).toBe(1);
}

describe('OTLP metrics from the OpenTelemetry SDK', () => {
  it('translates every instrument, cumulative over protobuf', async () => {
    expectTranslated(await record('protobuf', 'cumulative', 'proto-cumulative'), 'proto-cumulative');
  });

  it('accumulates delta temporality into the same cumulative series, over JSON', async () => {
    expectTranslated(await record('json', 'delta', 'json-delta'), 'json-delta');
  });

  it('exposes text promtool accepts and OpenMetrics with one family per name', async () => {
    const text = (await request(`${sidecar.adminUrl}/metrics`)).body.toString();
    const promtool = async (body: string) => {
      const file = path.join(os.tmpdir(), `otlp-metrics-${process.pid}.txt`);
      await writeFile(file, body);
      const run = await promisify(execFile)('sh', ['-c', `promtool check metrics < ${file}`]).catch((e) => e);
      return { code: (run.code as number | undefined) ?? 0, output: `${run.stdout}${run.stderr}` };
    };
    // The whole page parses (promtool exits 3 for naming advice on prom-client's own families, 1 for errors)…
    const whole = await promtool(text);
    expect(whole.code, whole.output).not.toBe(1);
    const OTLP =
      /^# HELP (app_jobs_processed_total|app_queue_depth|app_temperature_celsius|app_job_duration_seconds|app_payload_size_bytes|target_info) /;
    expect(whole.output).not.toMatch(
      /app_jobs|app_queue|app_temperature|app_job_duration|app_payload|target_info|error while linting/,
    );
    // …and the OTLP families alone pass every lint.
    const blocks = text.split(/(?=^# HELP )/m).filter((b) => OTLP.test(b));
    expect(blocks.length).toBe(6);
    const otlpOnly = await promtool(blocks.join(''));
    expect(otlpOnly, otlpOnly.output).toEqual({ code: 0, output: '' });
    expect(text).toContain('# TYPE app_jobs_processed_total counter');

    const om = (
      await request(`${sidecar.adminUrl}/metrics`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
      })
    ).body.toString();
    expect(om.endsWith('# EOF\n')).toBe(true);
    expect(om).toContain('# TYPE app_jobs_processed counter');
    expect(om).toContain('# TYPE target info');
    // Every sample follows the TYPE line of its own family, and no family is declared twice.
    const declared = new Set<string>();
    let family = '';
    for (const line of om.split('\n')) {
      const type = /^# TYPE (\S+) /.exec(line);
      if (type) {
        expect(declared.has(type[1]!), type[1]).toBe(false);
        declared.add(type[1]!);
        family = type[1]!;
      } else if (line && !line.startsWith('#')) {
        expect(line.startsWith(family), `${line} after TYPE ${family}`).toBe(true);
      }
    }
  });
});
