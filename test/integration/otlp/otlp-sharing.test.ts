import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBackend, startDemoBackend } from '../../../examples/demo/backend.js';
import { request } from '../../helpers/http.js';
import { postEvents } from '../../helpers/ingest.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * An OTLP metric that is the family an event-catalog event records (same name, type and
 * buckets) meets it in one family; one with other buckets is refused, never a second family of
 * the same name. And a sidecar reading more OTLP bodies than it allows sheds the next with 503
 * and Retry-After, which exporters retry.
 */
const TOKEN = 'otlp-sharing-token-0123456789abcdef';
const CATALOG_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];
let backend: DemoBackend;
let sidecar: RunningSidecar;

beforeAll(async () => {
  backend = await startDemoBackend();
  sidecar = await startSidecar(backend.url, { INGEST_TOKEN: TOKEN, OTLP_MAX_PENDING_BYTES: '4096' });
});
afterAll(async () => {
  await sidecar.close();
  await backend.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

/** Two queries, of 0.1 s and 0.2 s, on `bounds`. */
function histogram(bounds: number[]) {
  const counts = [...bounds, Number.POSITIVE_INFINITY].map((b, i) => {
    const low = i === 0 ? Number.NEGATIVE_INFINITY : bounds[i - 1]!;
    return String([0.1, 0.2].filter((v) => v > low && v <= b).length);
  });
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bank' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'db.client.operation.duration',
                unit: 's',
                histogram: {
                  aggregationTemporality: 2,
                  dataPoints: [
                    {
                      attributes: [{ key: 'db.system.name', value: { stringValue: 'postgresql' } }],
                      count: '2',
                      sum: 0.30000000000000004,
                      explicitBounds: bounds,
                      bucketCounts: counts,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
}

const post = (body: string) =>
  request(`${sidecar.adminUrl}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body,
  });

describe('an OTLP metric the event catalog also records', () => {
  it('joins the catalog family on the same buckets, and is refused on others', async () => {
    await postEvents(
      sidecar.adminUrl,
      { type: 'db.query', system: 'postgresql', operation: 'SELECT', duration_s: 0.02 },
      { headers: auth },
    );
    expect((await post(histogram(CATALOG_BUCKETS))).status).toBe(200);
    const text = (await request(`${sidecar.adminUrl}/metrics`)).body.toString();
    expect(text.match(/^# TYPE db_client_operation_duration_seconds histogram$/gm)).toHaveLength(1);
    const samples = await scrape(sidecar.adminUrl);
    expect(
      valueOf(samples, 'db_client_operation_duration_seconds_count', {
        job: 'bank',
        db_system_name: 'postgresql',
      }),
    ).toBe(2);
    expect(valueOf(samples, 'db_client_operation_duration_seconds_count')).toBe(3);

    const other = JSON.parse((await post(histogram([0.1, 1]))).body.toString());
    expect(other.partialSuccess.rejectedDataPoints).toBe('1');
    expect(other.partialSuccess.errorMessage).toContain('name_clash');
    expect(other.partialSuccess.errorMessage).toContain('buckets 0.001, 0.005');
  });
});

describe('load shedding', () => {
  it('answers 503 with Retry-After while OTLP_MAX_PENDING_BYTES of bodies are being read', async () => {
    const body = histogram(CATALOG_BUCKETS);
    // A slow sender: its Content-Length is reserved while the body trickles in.
    const slow = http.request(`${sidecar.adminUrl}/v1/metrics`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': 4000, ...auth },
    });
    const slowAnswer = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(' ');
    await new Promise((r) => setTimeout(r, 100));
    const shed = await post(body);
    expect(shed.status).toBe(503);
    expect(shed.headers['retry-after']).toBe('2');
    expect(JSON.parse(shed.body.toString()).message).toContain('OTLP_MAX_PENDING_BYTES');
    slow.end(body.padEnd(3999, ' '));
    expect(await slowAnswer).toBe(200);
    // Once read, the room is free again.
    expect((await post(body)).status).toBe(200);
    const samples = await scrape(sidecar.adminUrl);
    expect(valueOf(samples, 'sidecar_otlp_requests_total', { status: '503' })).toBe(1);
  });
});
