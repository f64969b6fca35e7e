import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpBatch } from '../helpers/sentry-sink.js';
import { Stack, waitUntil } from './stack.js';

/**
 * One trace across the sidecar and the backend, end to end: nginx → sidecar → a FastAPI app
 * traced by Sentry's own Python SDK. The sidecar sends its spans over OTLP (the default) to the
 * Sentry sink's OTLP endpoint; the backend continues the trace from the sidecar's headers and
 * sends its transaction as an envelope. Each backend transaction must have the sidecar span as
 * its parent, in the same trace.
 */
interface Transaction {
  transaction?: string;
  contexts?: { trace?: { trace_id?: string; parent_span_id?: string; span_id?: string } };
  spans?: Array<{ op?: string; trace_id?: string }>;
}

describe('a trace through the sidecar and a backend running sentry_sdk', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = new Stack({ backend: 'traced_app:app', backendReadyPath: '/health', sidecarEnv: {} });
    await stack.start();
  }, 120_000);

  afterAll(() => stack?.close());

  it('gives the backend transaction the sidecar span as parent, in one trace', async () => {
    for (let i = 1; i <= 5; i++) {
      const res = await fetch(`${stack.nginxUrl}/api/orders/${i}`);
      expect(res.status).toBe(200);
    }
    let sidecarSpans: OtlpBatch['spans'] = [];
    let transactions: Transaction[] = [];
    await waitUntil(
      'both halves of five traces',
      async () => {
        const otlp = (await (await fetch(`${stack.sinkUrl}/__otlp`)).json()) as OtlpBatch[];
        sidecarSpans = otlp.flatMap((b) => b.spans).filter((s) => s.name === 'GET /api/orders/{order_id}');
        const received = (await (await fetch(`${stack.sinkUrl}/__envelopes`)).json()) as Array<{
          envelope: { items: Array<{ header: { type: string }; payload?: Transaction }> };
        }>;
        transactions = received.flatMap((r) =>
          r.envelope.items.filter((i) => i.header.type === 'transaction').map((i) => i.payload!),
        );
        return sidecarSpans.length >= 5 && transactions.length >= 5;
      },
      15_000,
      200,
    );
    expect(sidecarSpans).toHaveLength(5);
    for (const span of sidecarSpans) {
      const backend = transactions.find((t) => t.contexts?.trace?.parent_span_id === span.span_id);
      expect(backend, `the backend transaction under sidecar span ${span.span_id}`).toBeDefined();
      expect(backend!.contexts!.trace!.trace_id).toBe(span.trace_id);
      expect(backend!.transaction).toBe('/api/orders/{order_id}');
      expect(backend!.spans?.some((s) => s.op === 'db.query')).toBe(true);
    }
  });
});
