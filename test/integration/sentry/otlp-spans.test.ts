import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFailingBackend } from '../../fixtures/failing-backend.js';
import { json, request } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type SentrySink, SINK_PUBLIC_KEY, spansIn, startSentrySink } from '../../helpers/sentry-sink.js';
import { startSidecar } from '../../helpers/sidecar.js';

/**
 * Spans over OTLP (SENTRY_TRACES_PROTOCOL=otlp, the default): many traces per request to the
 * project's OTLP endpoint, decoded by the sink with protobufjs; the fallback to envelopes when
 * the Sentry server has no OTLP endpoint; and a further OTLP destination named by the
 * OpenTelemetry exporter variables, with its headers and gzip.
 */
let sink: SentrySink;
let backend: Awaited<ReturnType<typeof startFailingBackend>>;

beforeAll(async () => {
  sink = await startSentrySink();
  backend = await startFailingBackend();
});
afterAll(async () => {
  await backend.close();
  await sink.kill();
});

interface Seen {
  headers: Record<string, string>;
}

/** Requests through the sidecar with a caller's traceparent; returns what the backend saw of each. */
async function traffic(proxyUrl: string, n: number) {
  const sent: Array<{ callerSpan: string; traceparent: string }> = [];
  for (let i = 0; i < n; i++) {
    const callerSpan = (0x1000000000000000n + BigInt(i)).toString(16);
    const traceId = `4bf92f3577b34da6a3ce929d0e0e${(4736 + i).toString(16).padStart(4, '0')}`;
    const res = await request(`${proxyUrl}/api/headers`, {
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    sent.push({ callerSpan, traceparent: json<Seen>(res).headers.traceparent! });
  }
  return sent;
}

describe('spans to Sentry over OTLP', () => {
  it('arrive batched, many traces per request, each the span the backend was told is its parent', async () => {
    await sink.reset();
    const sidecar = await startSidecar(backend.url, {
      SENTRY_DSN: sink.dsn,
      SENTRY_TRACES_PROTOCOL: 'otlp',
      SENTRY_TRACES_SAMPLE_RATE: '1',
      SENTRY_INCOMING_TRACE_HEADERS: 'continue',
    });
    try {
      const sent = await traffic(sidecar.proxyUrl, 20);
      const batches = await waitForSpans(sink, 20);
      expect(batches.length).toBeLessThanOrEqual(3);
      expect(batches[0]!.auth).toBe(`sentry sentry_key=${SINK_PUBLIC_KEY}`);
      expect(batches[0]!.contentType).toBe('application/x-protobuf');
      const spans = batches.flatMap((b) => b.spans);
      for (const { callerSpan, traceparent } of sent) {
        const [, traceId, spanId] = traceparent.split('-');
        const span = spans.find((s) => s.span_id === spanId);
        expect(span, traceparent).toBeDefined();
        expect(span!.trace_id).toBe(traceId);
        expect(span!.parent_span_id).toBe(callerSpan);
        expect(span!.name).toBe('GET /api/headers');
        expect(span!.kind).toBe(2);
        expect(span!.attributes).toMatchObject({
          'http.request.method': 'GET',
          'http.response.status_code': 200,
        });
        expect(BigInt(span!.end_ns)).toBeGreaterThan(BigInt(span!.start_ns));
        expect(span!.resource['service.name']).toBe('observability-sidecar');
      }
      // No span went as an envelope.
      expect(spansIn(await sink.envelopes())).toEqual([]);
      const samples = await scrape(sidecar.adminUrl);
      expect(valueOf(samples, 'sidecar_otlp_spans_total', { destination: 'sentry', outcome: 'sent' })).toBe(
        20,
      );
    } finally {
      await sidecar.close();
    }
  });

  it('fall back to envelopes, once and with a log line, when the server has no OTLP endpoint', async () => {
    await sink.reset();
    await sink.setMode({ mode: 'ok', otlp: 'refuse' });
    const sidecar = await startSidecar(backend.url, {
      SENTRY_DSN: sink.dsn,
      SENTRY_TRACES_PROTOCOL: 'otlp',
      SENTRY_TRACES_SAMPLE_RATE: '1',
    });
    try {
      const sent = await traffic(sidecar.proxyUrl, 6);
      const ids = sent.map((s) => s.traceparent.split('-')[2]);
      const spans = await sink.waitFor((envs) => {
        const found = spansIn(envs).filter((s) => ids.includes(s.span_id));
        return found.length === 6 ? found : undefined;
      }, 8000);
      expect(spans).toHaveLength(6);
      await traffic(sidecar.proxyUrl, 2);
      await new Promise((r) => setTimeout(r, 1500));
      const samples = await scrape(sidecar.adminUrl);
      expect(
        valueOf(samples, 'sidecar_otlp_spans_total', { destination: 'sentry', outcome: 'fell_back' }),
      ).toBe(6);
      expect(await sink.otlpBatches()).toEqual([]);
      expect(
        sidecar.logs.lines.filter((l) => String(l.msg).includes('does not take OTLP spans')),
      ).toHaveLength(1);
    } finally {
      await sink.setMode({ mode: 'ok' });
      await sidecar.close();
    }
  });
});

// The OTLP trace messages a collector reads, for the collector below.
const Collector = protobuf
  .parse(`syntax = "proto3";
message R { repeated RS resource_spans = 1; }
message RS { repeated SS scope_spans = 2; }
message SS { repeated S spans = 2; }
message S { bytes trace_id = 1; bytes span_id = 2; string name = 5; }`)
  .root.lookupType('R');

describe('spans to a further OTLP endpoint', () => {
  it('go to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces with its headers, gzipped, beside Sentry', async () => {
    await sink.reset();
    const { received, collector, url } = await startCollector();
    const sidecar = await startSidecar(backend.url, {
      SENTRY_DSN: sink.dsn,
      SENTRY_TRACES_PROTOCOL: 'otlp',
      SENTRY_TRACES_SAMPLE_RATE: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: `${url}/otel`,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20tempo-token,x-scope-orgid=bank',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    try {
      const sent = await traffic(sidecar.proxyUrl, 5);
      await waitForIds(received, 5);
      expect(received[0]!.path).toBe('/otel/v1/traces');
      expect(received[0]!.headers).toMatchObject({
        authorization: 'Bearer tempo-token',
        'x-scope-orgid': 'bank',
        'content-encoding': 'gzip',
        'content-type': 'application/x-protobuf',
      });
      expect(received.flatMap((r) => r.ids).sort()).toEqual(
        sent.map((s) => s.traceparent.split('-')[2]).sort(),
      );
      // Sentry got the same spans.
      const batches = await waitForSpans(sink, 5);
      expect(batches.flatMap((b) => b.spans)).toHaveLength(5);
    } finally {
      await sidecar.close();
      await new Promise((r) => collector.close(r));
    }
  });

  it('go there without a Sentry DSN too, with the same trace headers for the backend', async () => {
    const { received, collector, url } = await startCollector();
    const sidecar = await startSidecar(backend.url, {
      SENTRY_TRACES_SAMPLE_RATE: '1',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/v1/traces`,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    try {
      const sent = await traffic(sidecar.proxyUrl, 4);
      await waitForIds(received, 4);
      expect(received[0]!.path).toBe('/v1/traces');
      expect(received.flatMap((r) => r.ids).sort()).toEqual(
        sent.map((s) => s.traceparent.split('-')[2]).sort(),
      );
      expect(received.flatMap((r) => r.names)).toEqual(Array(4).fill('GET /api/headers'));
      const samples = await scrape(sidecar.adminUrl);
      expect(valueOf(samples, 'sidecar_otlp_spans_total', { destination: 'otlp', outcome: 'sent' })).toBe(4);
      expect(valueOf(samples, 'sidecar_sentry_enabled', {})).toBe(0);
    } finally {
      await sidecar.close();
      await new Promise((r) => collector.close(r));
    }
  });
});

/** An OTLP/HTTP trace collector on port 0 that keeps what each request carried. */
async function startCollector() {
  const received: Array<{
    path: string;
    headers: http.IncomingHttpHeaders;
    names: string[];
    ids: string[];
  }> = [];
  const collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = gunzipSync(Buffer.concat(chunks));
      const decoded = Collector.toObject(Collector.decode(body), { bytes: String }) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; spanId: string }> }> }>;
      };
      const spans = decoded.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        names: spans.map((s) => s.name),
        ids: spans.map((s) => Buffer.from(s.spanId, 'base64').toString('hex')),
      });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  return { received, collector, url: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` };
}

async function waitForIds(received: Array<{ ids: string[] }>, n: number) {
  const deadline = Date.now() + 5000;
  while (received.flatMap((r) => r.ids).length < n && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
}

async function waitForSpans(s: SentrySink, n: number) {
  const deadline = Date.now() + 8000;
  for (;;) {
    const batches = await s.otlpBatches();
    if (batches.flatMap((b) => b.spans).length >= n || Date.now() > deadline) return batches;
    await new Promise((r) => setTimeout(r, 50));
  }
}
