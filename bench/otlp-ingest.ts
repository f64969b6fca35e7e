import http from 'node:http';
import { otlpTypes } from '../src/otlp/proto.js';
import { type FixedRateResult, fixedRate, median } from './fixed-rate.js';
import { closedLoopPost, post } from './suites.js';

/**
 * OTLP metrics in (`npm run bench`, suite `otlp`): data points per second a sidecar takes in
 * batches of 1,000 (ten metrics of 100 series each: counters, gauges and histograms, the shape
 * of an SDK's export), in protobuf and in JSON, and the proxy's latency at a fixed rate while a
 * backend pushes 10 batches a second (10,000 points/s), against the same rate with nothing
 * pushed. The batch is OTLP/JSON as the specification writes it, encoded to protobuf with the
 * sidecar's own message definitions (the decoding is tested against the SDK's exporters).
 */
const POINTS = 1_000;
const PUSHES_PER_SECOND = 10;

const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });

function batch(round: number): string {
  const attributes = (i: number) => [kv('http.route', `/api/v1/res${i}`), kv('http.request.method', 'GET')];
  const metrics = Array.from({ length: 10 }, (_, m) => {
    const dataPoints = Array.from({ length: POINTS / 10 }, (_, i) => ({ attributes: attributes(i) }));
    const name = `bench.metric.${m}`;
    if (m < 4)
      return {
        name,
        unit: '{request}',
        sum: {
          isMonotonic: true,
          aggregationTemporality: 2,
          dataPoints: dataPoints.map((p) => ({ ...p, asInt: String(round * 10 + 1) })),
        },
      };
    if (m < 6)
      return { name, unit: 'By', gauge: { dataPoints: dataPoints.map((p) => ({ ...p, asDouble: 1024.5 })) } };
    return {
      name,
      unit: 's',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: dataPoints.map((p) => ({
          ...p,
          count: '10',
          sum: 1.5,
          explicitBounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          bucketCounts: ['1', '1', '1', '1', '1', '1', '1', '1', '1', '1', '0', '0'],
        })),
      },
    };
  });
  return JSON.stringify({
    resourceMetrics: [
      { resource: { attributes: [kv('service.name', 'bench')] }, scopeMetrics: [{ metrics }] },
    ],
  });
}

async function protobuf(json: string): Promise<Buffer> {
  const { ExportMetricsServiceRequest } = await otlpTypes();
  const message = ExportMetricsServiceRequest.fromObject(JSON.parse(json));
  return Buffer.from(ExportMetricsServiceRequest.encode(message).finish());
}

/** Pushes `body` `perSecond` times a second until stopped; returns how many were answered 200. */
function pushAtRate(url: string, body: Buffer, perSecond: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  let ok = 0;
  let failed = 0;
  const timer = setInterval(() => {
    post(agent, url, body, 'application/x-protobuf').then(
      (status) => (status === 200 ? ok++ : failed++),
      () => failed++,
    );
  }, 1000 / perSecond);
  return {
    stop() {
      clearInterval(timer);
      agent.destroy();
      return { ok, failed };
    },
  };
}

/**
 * Quiet and pushed windows alternate `reps` times after a warm-up of the same load, so that
 * each pushed p99 is read against quiet ones of the same process minutes apart; the medians
 * are reported with each window's figures.
 */
export async function otlpIngest(
  proxyUrl: string,
  adminUrl: string,
  rate: number,
  seconds: number,
  reps: number,
) {
  const url = `${adminUrl}/v1/metrics`;
  const json = batch(1);
  const proto = await protobuf(json);
  const target = `${proxyUrl}/api/users/1`;
  await fixedRate(target, rate, seconds);
  const quiet: FixedRateResult[] = [];
  const busy: FixedRateResult[] = [];
  let pushed = { ok: 0, failed: 0 };
  for (let rep = 0; rep < reps; rep++) {
    quiet.push(await fixedRate(target, rate, seconds));
    const pusher = pushAtRate(url, proto, PUSHES_PER_SECOND);
    busy.push(await fixedRate(target, rate, seconds));
    const done = pusher.stop();
    pushed = { ok: pushed.ok + done.ok, failed: pushed.failed + done.failed };
  }

  await closedLoopPost(url, proto, 1, 2, 'application/x-protobuf'); // warm-up
  const protoRun = await closedLoopPost(url, proto, seconds, 2, 'application/x-protobuf');
  const jsonRun = await closedLoopPost(url, json, seconds, 2);
  if (protoRun.failures || jsonRun.failures)
    throw new Error(`/v1/metrics answered non-200 ${protoRun.failures + jsonRun.failures} times`);
  const medianOf = (runs: FixedRateResult[], key: 'p50' | 'p99') => median(runs.map((r) => r[key]));
  return {
    batchBytes: { protobuf: proto.length, json: Buffer.byteLength(json) },
    pointsPerSecond: { protobuf: protoRun.rps * POINTS, json: jsonRun.rps * POINTS },
    latency: {
      quiet: { p50: medianOf(quiet, 'p50'), p99: medianOf(quiet, 'p99'), windows: quiet },
      busy: { p50: medianOf(busy, 'p50'), p99: medianOf(busy, 'p99'), windows: busy },
      pushedBatches: pushed.ok,
      failedBatches: pushed.failed,
    },
  };
}
