import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBackend, startDemoBackend } from '../../../examples/demo/backend.js';
import { request } from '../../helpers/http.js';
import { startSdk } from '../../helpers/otlp-sdk.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * Malformed, truncated, oversized and hostile OTLP bodies: each gets the status the OTLP
 * specification gives it, with a message that says what was wrong, and records nothing; bad
 * points are refused alone, counted by reason, and named in partial_success.
 */
const TOKEN = 'otlp-refusals-token-0123456789abcdef';
let backend: DemoBackend;
let sidecar: RunningSidecar;

beforeAll(async () => {
  backend = await startDemoBackend();
  sidecar = await startSidecar(backend.url, {
    INGEST_TOKEN: TOKEN,
    OTLP_MAX_SERIES: '3000',
  });
});
afterAll(async () => {
  await sidecar.close();
  await backend.close();
});

const auth = { authorization: `Bearer ${TOKEN}` };

function post(body: string | Buffer, headers: http.OutgoingHttpHeaders = {}) {
  return request(`${sidecar.adminUrl}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body,
  });
}

/** One gauge data point per attribute set, as OTLP/JSON. */
function gauge(name: string, points: Array<{ attributes?: object[]; asDouble?: unknown }>, unit = '') {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hostile' } }] },
        scopeMetrics: [{ metrics: [{ name, unit, gauge: { dataPoints: points } }] }],
      },
    ],
  });
}

const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** The families on /metrics that OTLP could have made (none of the sidecar's own). */
async function otlpFamilies(): Promise<string[]> {
  const text = (await request(`${sidecar.adminUrl}/metrics`)).body.toString();
  return [...text.matchAll(/^# TYPE (hostile_\S+|target_info) /gm)].map((m) => m[1]!);
}

/** A real protobuf body, as the SDK's exporter sends it, caught on its way. */
async function sdkProtobufBody(): Promise<Buffer> {
  let caught: Buffer | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      caught = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sdk = startSdk({
    adminUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    encoding: 'protobuf',
    temporality: 'cumulative',
  });
  sdk.meter.createCounter('hostile.requests').add(1, { route: '/a' });
  await sdk.flush();
  await sdk.shutdown();
  await new Promise((resolve) => server.close(resolve));
  return caught!;
}

describe('whole bodies refused', () => {
  it('answers each with its status and a google.rpc.Status naming the problem, and records nothing', async () => {
    const proto = await sdkProtobufBody();
    let deep = '{"stringValue":"x"}';
    for (let i = 0; i < 50_000; i++) deep = `{"arrayValue":{"values":[${deep}]}}`;
    const cases: Array<[string, () => ReturnType<typeof post>, number, RegExp]> = [
      ['not JSON', () => post('{"resourceMetrics": ['), 400, /not valid JSON/],
      ['not an object', () => post('[1, 2]'), 400, /not an object/],
      ['a wrong field type', () => post('{"resourceMetrics": 5}'), 400, /resourceMetrics: array expected/],
      [
        'nesting 50,000 deep',
        () => post(`{"resourceMetrics":[{"resource":{"attributes":[{"key":"a","value":${deep}}]}}]}`),
        400,
        /nests too deeply|not an OTLP/,
      ],
      [
        'truncated protobuf',
        () => post(proto.subarray(0, proto.length - 7), { 'content-type': 'application/x-protobuf' }),
        400,
        /not an OTLP ExportMetricsServiceRequest/,
      ],
      [
        'garbage protobuf',
        () =>
          post(Buffer.from('\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff', 'latin1'), {
            'content-type': 'application/x-protobuf',
          }),
        400,
        /not an OTLP/,
      ],
      ['bad gzip', () => post('not gzip', { 'content-encoding': 'gzip' }), 400, /not valid gzip/],
      ['oversized', () => post(Buffer.alloc(5_000_000, 0x20)), 413, /OTLP_MAX_BODY_BYTES/],
      [
        'a gzip bomb',
        () => post(gzipSync(Buffer.alloc(50_000_000, 0x20)), { 'content-encoding': 'gzip' }),
        413,
        /OTLP_MAX_BODY_BYTES/,
      ],
      [
        'another media type',
        () => post('x', { 'content-type': 'text/plain' }),
        415,
        /application\/x-protobuf or application\/json/,
      ],
      [
        'no token',
        () => post(gauge('hostile.g', [{ asDouble: 1 }]), { authorization: '' }),
        401,
        /bearer token/,
      ],
    ];
    for (const [what, send, status, message] of cases) {
      const res = await send();
      expect(res.status, what).toBe(status);
      if (res.headers['content-type']?.startsWith('application/json')) {
        expect(JSON.parse(res.body.toString()).message, what).toMatch(message);
      }
    }
    expect(await otlpFamilies()).toEqual([]);
    // A protobuf refusal answers in protobuf: google.rpc.Status, its message as field 2.
    const res = await post(proto.subarray(0, 5), { 'content-type': 'application/x-protobuf' });
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(res.body.toString('latin1')).toContain('not an OTLP ExportMetricsServiceRequest');
  });
});

describe('data points refused alone', () => {
  it('keeps the good points of a request and names the bad ones in partial_success', async () => {
    const res = await post(
      gauge('hostile.mixed', [
        { attributes: [kv('route', '/ok')], asDouble: 1 },
        { attributes: [kv('user.email', 'ann@example.com')], asDouble: 2 },
        { attributes: [kv('route', 'x'.repeat(5000))], asDouble: 3 },
        { attributes: [kv('route', '/nan')], asDouble: 'NaN' },
        { attributes: [kv('route', '/none')] },
      ]),
    );
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body.toString());
    expect(answer.partialSuccess.rejectedDataPoints).toBe('4');
    expect(answer.partialSuccess.errorMessage).toMatch(/^4 data points rejected: /);
    expect(answer.partialSuccess.errorMessage).toContain('attribute user.email looks like an email address');
    expect(answer.partialSuccess.errorMessage).not.toContain('ann@example.com');
    const samples = await scrape(sidecar.adminUrl);
    expect(valueOf(samples, 'hostile_mixed', { route: '/ok', job: 'hostile' })).toBe(1);
    expect(samples.filter((s) => s.name === 'hostile_mixed')).toHaveLength(1);
    for (const reason of ['personal_data', 'label_too_long', 'invalid_value', 'no_value'])
      expect(valueOf(samples, 'sidecar_otlp_data_points_rejected_total', { reason }), reason).toBe(1);
  });

  it("refuses a negative count, a sum without temporality and a clash with the sidecar's own metrics", async () => {
    const body = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'hostile.negative',
                  sum: { isMonotonic: true, aggregationTemporality: 2, dataPoints: [{ asInt: '-5' }] },
                },
                { name: 'hostile.notemporality', sum: { isMonotonic: true, dataPoints: [{ asInt: '5' }] } },
                { name: 'http.server.active_requests', gauge: { dataPoints: [{ asInt: '5' }] } },
                {
                  name: 'hostile.histogram',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [{ count: '3', bucketCounts: ['1', '1'], explicitBounds: [1] }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const answer = JSON.parse((await post(body)).body.toString());
    expect(answer.partialSuccess.rejectedDataPoints).toBe('4');
    const samples = await scrape(sidecar.adminUrl);
    for (const reason of ['temporality_unspecified', 'name_clash'])
      expect(valueOf(samples, 'sidecar_otlp_data_points_rejected_total', { reason }), reason).toBe(1);
    expect(valueOf(samples, 'sidecar_otlp_data_points_rejected_total', { reason: 'invalid_value' })).toBe(3);
    expect((await otlpFamilies()).sort()).toEqual(['hostile_mixed', 'target_info']);
  });

  it('holds the series budgets under a flood of distinct series', async () => {
    const flood = (name: string, n: number) =>
      gauge(
        name,
        Array.from({ length: n }, (_, i) => ({ attributes: [kv('shard', `s${i}`)], asDouble: i })),
      );
    const first = JSON.parse((await post(flood('hostile.flood.a', 20_000))).body.toString());
    // OTLP_MAX_SERIES_PER_METRIC (2,000) of 20,000.
    expect(first.partialSuccess.rejectedDataPoints).toBe('18000');
    expect(first.partialSuccess.errorMessage).toContain('OTLP_MAX_SERIES_PER_METRIC');
    const second = JSON.parse((await post(flood('hostile.flood.b', 2_000))).body.toString());
    const samples = await scrape(sidecar.adminUrl);
    expect(valueOf(samples, 'sidecar_otlp_series', {})).toBe(3000);
    expect(Number(second.partialSuccess.rejectedDataPoints)).toBe(2000 - (3000 - 2000 - 3));
    expect(second.partialSuccess.errorMessage).toContain('OTLP_MAX_SERIES (3000)');
    // The proxy is unaffected.
    expect((await request(`${sidecar.proxyUrl}/api/payload`)).status).toBe(200);
  });
});
