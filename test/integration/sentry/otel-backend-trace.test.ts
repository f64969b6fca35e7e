import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../helpers/http.js';
import {
  type OtlpBatch,
  type SentrySink,
  SINK_PROJECT,
  SINK_PUBLIC_KEY,
  startSentrySink,
} from '../../helpers/sentry-sink.js';
import { startSidecar } from '../../helpers/sidecar.js';

/**
 * One trace across the sidecar and a backend traced by the OpenTelemetry SDK (the JavaScript
 * SDK with its HTTP instrumentation, test/fixtures/otel-traced-backend.cjs): both send their
 * spans over OTLP to the same Sentry project's endpoint. The backend's server span must be the
 * child of the sidecar's span, in the same trace, and its own child span must follow.
 */
const BACKEND = fileURLToPath(new URL('../../fixtures/otel-traced-backend.cjs', import.meta.url));

type Span = OtlpBatch['spans'][number];
let sink: SentrySink;
let backend: ChildProcess;
let backendUrl: string;

beforeAll(async () => {
  sink = await startSentrySink();
  backend = spawn(process.execPath, [BACKEND], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${sink.port}/api/${SINK_PROJECT}/integration/otlp/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-sentry-auth=sentry sentry_key=${SINK_PUBLIC_KEY}`,
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    backend.stdout!.once('data', (chunk: Buffer) =>
      resolve((JSON.parse(chunk.toString()) as { port: number }).port),
    );
    backend.once('exit', (code) => reject(new Error(`the traced backend exited with ${code}`)));
  });
  backendUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  backend?.kill('SIGTERM');
  await sink?.kill();
});

async function spansUntil(done: (spans: Span[]) => boolean): Promise<Span[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const spans = (await sink.otlpBatches()).flatMap((b) => b.spans);
    if (done(spans)) return spans;
    if (Date.now() > deadline)
      throw new Error(`spans not complete in time: ${JSON.stringify(spans.map((s) => s.name))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a trace through the sidecar and a backend running the OpenTelemetry SDK', () => {
  it('gives the backend server span the sidecar span as parent, in one trace', async () => {
    const sidecar = await startSidecar(backendUrl, {
      SENTRY_DSN: sink.dsn,
      SENTRY_TRACES_PROTOCOL: 'otlp',
      SENTRY_TRACES_SAMPLE_RATE: '1',
    });
    try {
      for (let i = 1; i <= 5; i++) {
        expect((await request(`${sidecar.proxyUrl}/api/orders/${i}`)).status).toBe(200);
      }
      const fromSidecar = (s: Span) => s.resource['service.name'] !== 'orders-backend';
      const spans = await spansUntil(
        (all) =>
          all.filter(fromSidecar).length >= 5 && all.filter((s) => s.name === 'SELECT orders').length >= 5,
      );
      const sidecarSpans = spans.filter(fromSidecar);
      const backendSpans = spans.filter((s) => !fromSidecar(s));
      expect(sidecarSpans).toHaveLength(5);
      expect(new Set(sidecarSpans.map((s) => s.trace_id)).size).toBe(5);
      for (const span of sidecarSpans) {
        const server = backendSpans.find((s) => s.parent_span_id === span.span_id);
        expect(server, `the backend's server span under sidecar span ${span.span_id}`).toBeDefined();
        expect(server!.trace_id).toBe(span.trace_id);
        expect(server!.kind).toBe(2); // SPAN_KIND_SERVER
        const query = backendSpans.find((s) => s.parent_span_id === server!.span_id);
        expect(query?.name).toBe('SELECT orders');
        expect(query!.trace_id).toBe(span.trace_id);
      }
    } finally {
      await sidecar.close();
    }
  });
});
