import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type ChildSidecar, memoryOf } from '../helpers/child-sidecar.js';
import { eventually } from '../helpers/http.js';
import { type Sample, scrape, valueOf } from '../helpers/prometheus-text.js';
import { type BackendProcess, spawnProductionSidecar, startBackendProcess } from './support/processes.js';

/**
 * 100 WebSockets and 100 server-sent-event streams through the sidecar while the backend process
 * is killed and started again. Every stream ends when the backend goes (none is left hanging
 * open), the stream gauges and histograms account for each, and the same number of streams opens
 * and works again once the backend is back.
 */

const STREAMS = 100;
const MiB = 1024 * 1024;

interface OpenStreams {
  sockets: WebSocket[];
  sse: Array<{ res: http.IncomingMessage; events: number; ended: Promise<'complete' | 'broken'> }>;
}

async function openWebSocket(base: string, i: number): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/echo?n=${i}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const echoed = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
  ws.send(`hello ${i}`);
  expect(await echoed).toBe(`hello ${i}`);
  return ws;
}

function openSse(base: string): Promise<OpenStreams['sse'][number]> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/api/sse?events=100000&interval=200`, { agent: false }, (res) => {
        const stream = {
          res,
          events: 0,
          ended: new Promise<'complete' | 'broken'>((done) => {
            res.on('close', () => done(res.complete ? 'complete' : 'broken'));
          }),
        };
        res.on('data', (chunk: Buffer) => {
          stream.events += chunk.toString().split('\n\n').length - 1;
          if (stream.events >= 1) resolve(stream);
        });
      })
      .on('error', reject);
  });
}

async function openAll(base: string): Promise<OpenStreams> {
  const sockets = await Promise.all(Array.from({ length: STREAMS }, (_, i) => openWebSocket(base, i)));
  const sse = await Promise.all(Array.from({ length: STREAMS }, () => openSse(base)));
  return { sockets, sse };
}

const streamCount = (s: Sample[], kind: string, match: Record<string, string> = {}) =>
  valueOf(s, 'http_server_stream_duration_seconds_count', { stream_type: kind, ...match }) || 0;

describe(`${STREAMS} WebSockets and ${STREAMS} SSE streams while the backend restarts`, () => {
  let backend: BackendProcess;
  let sidecar: ChildSidecar;

  beforeAll(async () => {
    backend = await startBackendProcess();
    sidecar = await spawnProductionSidecar({ UPSTREAM_URL: backend.url, UPSTREAM_HEALTH_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
  });

  it('ends every stream when the backend dies, accounts for each, and serves them again after', async () => {
    const first = await openAll(sidecar.proxyUrl);
    let samples = await scrape(sidecar.adminUrl);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'websocket' })).toBe(STREAMS);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'sse' })).toBe(STREAMS);
    const rssOpen = memoryOf(sidecar.child.pid!).rss;

    const wsClosed = first.sockets.map((ws) => new Promise<number>((resolve) => ws.once('close', resolve)));
    await backend.kill();
    const closeCodes = await Promise.all(wsClosed);
    const sseEnds = await Promise.all(first.sse.map((s) => s.ended));
    // A killed backend sends no close frame: the clients see the connection end (1006).
    expect(new Set(closeCodes)).toEqual(new Set([1006]));
    expect(sseEnds.filter((e) => e === 'broken')).toHaveLength(STREAMS);

    samples = await eventually(async () => {
      const s = await scrape(sidecar.adminUrl);
      return streamCount(s, 'websocket') === STREAMS && streamCount(s, 'sse') === STREAMS ? s : undefined;
    }, 10_000);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'websocket' })).toBe(0);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'sse' })).toBe(0);
    // An SSE body that breaks off is a failure; a WebSocket the backend closes is the end of the conversation.
    expect(streamCount(samples, 'sse', { error_type: 'upstream_reset' })).toBe(STREAMS);
    expect(valueOf(samples, 'http_server_active_requests')).toBe(0);
    expect((await fetch(`${sidecar.adminUrl}/health`)).status).toBe(200);

    await backend.restart();
    await eventually(async () => (await fetch(`${sidecar.adminUrl}/ready`)).status === 200, 10_000);
    const second = await openAll(sidecar.proxyUrl);
    samples = await scrape(sidecar.adminUrl);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'websocket' })).toBe(STREAMS);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'sse' })).toBe(STREAMS);

    // This time the clients leave.
    for (const ws of second.sockets) ws.close(1000);
    for (const s of second.sse) s.res.destroy();
    samples = await eventually(async () => {
      const s = await scrape(sidecar.adminUrl);
      return streamCount(s, 'websocket') === 2 * STREAMS && streamCount(s, 'sse') === 2 * STREAMS
        ? s
        : undefined;
    }, 10_000);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'websocket' })).toBe(0);
    expect(valueOf(samples, 'http_server_active_streams', { stream_type: 'sse' })).toBe(0);
    expect(streamCount(samples, 'sse', { error_type: 'client_abort' })).toBe(STREAMS);
    const rssAfter = memoryOf(sidecar.child.pid!).rss;
    console.log(
      `streams: RSS with ${2 * STREAMS} streams open ${(rssOpen / MiB).toFixed(1)} MiB, ` +
        `after both rounds ${(rssAfter / MiB).toFixed(1)} MiB`,
    );
    expect(sidecar.child.exitCode).toBeNull();
  });
});
