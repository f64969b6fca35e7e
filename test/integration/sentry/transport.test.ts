import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { SENTRY_METRICS, SentryMetrics } from '../../../src/sentry/metrics.js';
import type { SendPauseOptions } from '../../../src/sentry/sdk/send-pause.js';
import { createSentryClient } from '../../../src/sentry/sdk/sentry-client.js';
import { sentryTransport, type TransportFactory } from '../../../src/sentry/sdk/transport.js';
import { decideTrace } from '../../../src/sentry/tracing/trace-propagation.js';
import { type SentrySink, startSentrySink } from '../../helpers/sentry-sink.js';
import { captureLogs } from '../../helpers/sidecar.js';

type TransportOptions = Parameters<TransportFactory>[0];
type Envelope = Parameters<ReturnType<TransportFactory>['send']>[0];

function spanEnvelope(): Envelope {
  return [
    { sent_at: new Date().toISOString() },
    [
      [
        { type: 'span', item_count: 1, content_type: 'application/vnd.sentry.items.span.v2+json' },
        { items: [{ trace_id: 'b'.repeat(32), span_id: 'c'.repeat(16), name: 'GET /x' }] },
      ],
    ],
  ] as unknown as Envelope;
}

function eventEnvelope(message: string): Envelope {
  return [
    { event_id: 'a'.repeat(32), sent_at: new Date().toISOString() },
    [[{ type: 'event' }, { event_id: 'a'.repeat(32), message }]],
  ] as unknown as Envelope;
}

/** An HTTP proxy that only tunnels (CONNECT), as corporate egress proxies do; counts its tunnels. */
function startTunnelProxy(): Promise<{ port: number; tunnels: () => number; close: () => void }> {
  let tunnels = 0;
  const server = net.createServer((client) => {
    client.once('data', (head) => {
      const match = /^CONNECT ([^:\s]+):(\d+) HTTP\/1\.1\r\n/.exec(head.toString('latin1'));
      if (!match) return void client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
      tunnels++;
      const upstream = net.connect(Number(match[2]), match[1]!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        tunnels: () => tunnels,
        close: () => server.close(),
      }),
    ),
  );
}

describe('Sentry transport', () => {
  let sink: SentrySink;
  const dropped: Array<{ reason: string; category: string }> = [];
  const registry = createRegistry();
  const metrics = new SentryMetrics(registry, true);
  const url = () => `http://127.0.0.1:${sink.port}/api/42/envelope/?sentry_key=k&sentry_version=7`;
  const options = (): TransportOptions =>
    ({
      url: url(),
      recordDroppedEvent: (reason: string, category: string) => dropped.push({ reason, category }),
    }) as unknown as TransportOptions;
  const { logger, logs } = captureLogs('info');
  const transportFor = async (timeoutMs: number, pause?: SendPauseOptions) =>
    (await sentryTransport({ metrics, timeoutMs, logger, pause }, url()))(options());
  const unreachable = async () =>
    (await registry.getSingleMetric(SENTRY_METRICS.unreachable.name)!.get()).values[0]!.value;

  beforeAll(async () => {
    sink = await startSentrySink();
  });
  afterAll(() => sink.kill());
  afterEach(async () => {
    dropped.length = 0;
    await sink.setMode({ mode: 'ok' });
    await sink.reset();
  });

  it('delivers envelopes, gzipping large ones, and leaves no request in flight', async () => {
    const transport = await transportFor(2000);
    const large = 'x'.repeat(40 * 1024);
    const answers = await Promise.all([
      transport.send(eventEnvelope('small')),
      transport.send(eventEnvelope(large)),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    const messages = (await sink.events()).map((e) => e.message);
    expect(messages).toHaveLength(2);
    expect(messages).toContain('small');
    expect(messages).toContain(large);
    const inFlight = (await registry.getSingleMetric(SENTRY_METRICS.transportInFlight.name)!.get())
      .values[0]!;
    expect(inFlight.value).toBe(0);
  });

  it('fails a request Sentry never answers within the deadline, counting the event as dropped', async () => {
    await sink.setMode({ mode: 'hang' });
    const transport = await transportFor(300);
    const started = Date.now();
    await expect(transport.send(eventEnvelope('lost'))).rejects.toThrow(
      /no answer from Sentry within 300 ms/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(dropped).toEqual([{ reason: 'network_error', category: 'error' }]);
    await expect(transport.send(spanEnvelope())).rejects.toThrow(/no answer from Sentry/);
    const spans = (await registry.getSingleMetric(SENTRY_METRICS.spansDropped.name)!.get()).values;
    expect(spans.find((v) => v.labels.outcome === 'dropped')?.value).toBe(1);
  });

  it('backs off after a 429 without sending, as the SDK would', async () => {
    await sink.setMode({ mode: '429', retryAfterSeconds: 60 });
    const transport = await transportFor(2000);
    expect((await transport.send(eventEnvelope('first'))).statusCode).toBe(429);
    await sink.setMode({ mode: 'ok' });
    await transport.send(eventEnvelope('held back'));
    expect(dropped).toContainEqual({ reason: 'ratelimit_backoff', category: 'error' });
    expect((await sink.events()).map((e) => e.message)).not.toContain('held back');
  });

  it('goes through an HTTP proxy named by http_proxy', async () => {
    const proxy = await startTunnelProxy();
    const saved = process.env.http_proxy;
    process.env.http_proxy = `http://127.0.0.1:${proxy.port}`;
    try {
      const transport = await transportFor(2000);
      expect((await transport.send(eventEnvelope('via proxy'))).statusCode).toBe(200);
      expect(proxy.tunnels()).toBe(1);
      expect((await sink.events()).map((e) => e.message)).toEqual(['via proxy']);
    } finally {
      if (saved === undefined) delete process.env.http_proxy;
      else process.env.http_proxy = saved;
      proxy.close();
    }
  });

  /** The sidecar's Sentry client (the real SDK client and transport) reporting to the sink. */
  const sentryClient = (protocol: 'envelope' | 'otlp' = 'envelope') => {
    const config = loadConfig({
      UPSTREAM_URL: 'http://127.0.0.1:8000',
      SENTRY_DSN: sink.dsn,
      SENTRY_TRACES_PROTOCOL: protocol,
    }).sentry;
    return createSentryClient({
      config: { ...config, dsn: config.dsn! },
      metrics,
      logger,
      onDelivered: () => {},
    });
  };

  it('counts a span Sentry answers with an error status as dropped', async () => {
    await sink.setMode({ mode: '500' });
    const sdk = await sentryClient();
    const spansDropped = async () =>
      (await registry.getSingleMetric(SENTRY_METRICS.spansDropped.name)!.get()).values.find(
        (v) => v.labels.outcome === 'dropped',
      )?.value ?? 0;
    const before = await spansDropped();
    try {
      const decision = decideTrace(undefined, 1);
      sdk.startRequestSpan(decision, 'GET /api/x', {}, { 'http.route': '/api/x' }).end(200);
      await sink.waitFor((envelopes) => envelopes.length >= 1);
      const deadline = Date.now() + 2000;
      while ((await spansDropped()) === before && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await spansDropped()) - before).toBe(1);
    } finally {
      await sdk.close(500);
    }
  });

  it('sends spans that wait for their batch when the client closes, before it returns', async () => {
    await sink.setMode({ mode: 'ok' });
    await sink.reset();
    const sdk = await sentryClient();
    for (const route of ['/a', '/b', '/c']) {
      sdk.startRequestSpan(decideTrace(undefined, 1), `GET ${route}`, {}, { 'http.route': route }).end(200);
    }
    // Closing takes far less than the batch's hold time: spans still waiting would be lost to
    // it, or sent after the client said it was done.
    await sdk.close(2000);
    expect((await sink.spans()).map((span) => span.name).sort()).toEqual(['GET /a', 'GET /b', 'GET /c']);
  });

  it('sends the OTLP batch still waiting when the client closes, before it returns', async () => {
    await sink.setMode({ mode: 'ok' });
    await sink.reset();
    const sdk = await sentryClient('otlp');
    for (const route of ['/a', '/b', '/c']) {
      sdk.startRequestSpan(decideTrace(undefined, 1), `GET ${route}`, {}, { 'http.route': route }).end(200);
    }
    // The batch would leave a second after its first span; closing sends it now, in one request.
    await sdk.close(2000);
    const batches = await sink.otlpBatches();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.spans.map((span) => span.name).sort()).toEqual(['GET /a', 'GET /b', 'GET /c']);
  });

  /** Three envelopes lost to a hanging Sentry, a fourth refused, then a probe once the pause is over. */
  async function pauseAndResume(): Promise<void> {
    logs.lines.length = 0;
    const clock = { t: 0 };
    await sink.setMode({ mode: 'hang' });
    const transport = await transportFor(200, {
      threshold: 3,
      firstMs: 1000,
      maxMs: 60_000,
      now: () => clock.t,
    });
    const lost = ['a', 'b', 'c'].map((m) => transport.send(eventEnvelope(m)));
    for (const sent of lost) await expect(sent).rejects.toThrow(/no answer from Sentry/);
    expect(await unreachable()).toBe(1);
    expect(logs.lines.some((l) => String(l.msg).startsWith('Sentry unreachable: sending paused'))).toBe(true);
    const reached = (await sink.envelopes()).length;
    // While paused: refused without a request, counted as lost like the SDK's own network errors.
    expect(await transport.send(eventEnvelope('paused'))).toEqual({});
    expect(await transport.send(spanEnvelope())).toEqual({});
    expect(dropped.filter((d) => d.reason === 'network_error' && d.category === 'error')).toHaveLength(4);
    expect(dropped).toContainEqual({ reason: 'network_error', category: 'span' });
    expect((await sink.envelopes()).length).toBe(reached);
    // The pause over: one probe goes, the rest are refused until it is answered.
    await sink.setMode({ mode: 'ok' });
    clock.t = 1000;
    const probe = transport.send(eventEnvelope('probe'));
    expect(await transport.send(eventEnvelope('beside the probe'))).toEqual({});
    expect((await probe).statusCode).toBe(200);
    expect(await unreachable()).toBe(0);
    expect(logs.lines.some((l) => l.msg === 'Sentry reachable again: sending resumed')).toBe(true);
    expect((await transport.send(eventEnvelope('after'))).statusCode).toBe(200);
    const messages = (await sink.events()).map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining(['probe', 'after']));
    expect(messages).not.toContain('paused');
    expect(messages).not.toContain('beside the probe');
  }

  it('pauses sending after three failures to reach Sentry, and resumes once a probe is answered', async () => {
    await pauseAndResume();
  });

  it('pauses the same way when Sentry is reached through an HTTP proxy', async () => {
    const proxy = await startTunnelProxy();
    const saved = process.env.http_proxy;
    process.env.http_proxy = `http://127.0.0.1:${proxy.port}`;
    try {
      await pauseAndResume();
      expect(proxy.tunnels()).toBeGreaterThanOrEqual(4);
    } finally {
      if (saved === undefined) delete process.env.http_proxy;
      else process.env.http_proxy = saved;
      proxy.close();
    }
  });
});
