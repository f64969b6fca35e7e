import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Registry } from 'prom-client';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/log/logger.js';
import { SentryMetrics } from '../src/sentry/metrics.js';
import { RequestSpans } from '../src/sentry/sdk/request-spans.js';
import { type FinishedRequestSpan, RequestTracing, type SpanStarter } from '../src/sentry/tracing/index.js';
import { encodeSpans } from '../src/sentry/tracing/otlp-spans.js';

/**
 * `npm run bench:tracing`: what tracing at 10% costs per proxied request in the sidecar's own
 * code, in ns per request, averaged over all requests: the sampling decision and the three trace
 * headers written for the backend (every request), the span of each sampled request built when
 * it ends, and its share of an OTLP batch of 512 encoded and gzipped. A figure the machine's
 * noise does not move, beside the end-to-end comparison of `sidecar` and `sidecar-untraced` in
 * `npm run bench`, which also holds what the headers' bytes cost the sockets. Results in
 * docs/PERFORMANCE.md. Options (environment): BENCH_TRACING_REQUESTS (1000000).
 */
const REQUESTS = Number(process.env.BENCH_TRACING_REQUESTS ?? 1_000_000);
const BATCH = 512;
const gzipAsync = promisify(gzip);

const config = loadConfig({
  UPSTREAM_URL: 'http://127.0.0.1:8000',
  SENTRY_DSN: 'http://f3c1a9e07b5d4c2e8a6b0d9f1e3c5a7b@127.0.0.1:9/42',
  SENTRY_TRACES_SAMPLE_RATE: '0.1',
});
const identity = {
  environment: 'production',
  release: 'bench',
  sdk: { name: 'sentry.javascript.node', version: '10' },
};
// No destination: ended spans are built but not queued, so the batch's cost is measured apart below.
const spans = new RequestSpans({
  metrics: new SentryMetrics(new Registry(), true),
  identity,
  logger: createLogger('error'),
});
const starter: SpanStarter = {
  identity: { ...identity, publicKey: 'f3c1a9e07b5d4c2e8a6b0d9f1e3c5a7b', orgId: undefined },
  startRequestSpan: (decision, name, dsc, attributes) => spans.start(decision, name, dsc, attributes),
};
const tracing = new RequestTracing(config.sentry, '127.0.0.1:8000');
const templates = Array.from({ length: 50 }, (_, i) => `/api/v1/res${i}/{id}`);

/** The headers a proxied request arrives with, as node:http hands them over. */
const headersOf = (i: number) => ({
  host: 'bank.example',
  'user-agent': 'python-httpx/0.27.0',
  accept: 'application/json',
  'x-request-id': `req-${i}`,
});

function bestOf(runs: number, body: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run <= runs; run++) {
    const started = process.hrtime.bigint();
    body();
    const ns = Number(process.hrtime.bigint() - started) / REQUESTS;
    if (run > 0) best = Math.min(best, ns); // the first run warms the JIT
  }
  return best;
}

// Making the headers is the request's, not tracing's: measured alone and subtracted.
const baseline = bestOf(5, () => {
  for (let i = 0; i < REQUESTS; i++) {
    if (headersOf(i).host === undefined) throw new Error('no host header');
  }
});
let sampled = 0;
const forwarded = bestOf(5, () => {
  sampled = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const headers = headersOf(i);
    const template = templates[i % 50]!;
    const trace = tracing.forward(starter, headers, 'GET', template, headers['x-request-id']);
    if (trace?.span) {
      sampled++;
      trace.span.end(200, template);
    }
  }
});

// One batch of 512 finished spans, as the exporter sends them.
const finished: FinishedRequestSpan[] = Array.from({ length: BATCH }, (_, i) => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: (0x1000000000000000n + BigInt(i)).toString(16),
  parentSpanId: undefined,
  name: `GET ${templates[i % 50]}`,
  start: 1_765_000_000 + i / 1000,
  end: 1_765_000_000 + i / 1000 + 0.012,
  sampleRate: 0.1,
  httpStatus: 200,
  statusMessage: 'ok',
  attributes: {
    'http.request.method': 'GET',
    'http.route': templates[i % 50]!,
    'server.address': '127.0.0.1:8000',
    'sidecar.request_id': `req-${i}`,
  },
}));
let batchNs = Number.POSITIVE_INFINITY;
let batchBytes = 0;
for (let run = 0; run <= 20; run++) {
  const started = process.hrtime.bigint();
  const body = await gzipAsync(await encodeSpans(finished, identity));
  const ns = Number(process.hrtime.bigint() - started);
  batchBytes = body.length;
  if (run > 0) batchNs = Math.min(batchNs, ns);
}
const perSpan = batchNs / BATCH;
const rate = sampled / REQUESTS;
const perRequest = forwarded - baseline + rate * perSpan;
console.log(
  `Tracing at ${(rate * 100).toFixed(1)}%, ${REQUESTS.toLocaleString('en')} requests per run, best of 5 (Node ${process.version}):\n` +
    `  decision, trace headers and the span of sampled requests: ${(forwarded - baseline).toFixed(0)} ns per request\n` +
    `  OTLP batch of ${BATCH} encoded and gzipped: ${(batchNs / 1e6).toFixed(2)} ms (${batchBytes} bytes), ${perSpan.toFixed(0)} ns per span\n` +
    `  in all: ${perRequest.toFixed(0)} ns per request`,
);
