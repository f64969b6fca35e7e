import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedRateTimeline } from '../../bench/fixed-rate.js';

/**
 * The benchmark's own instruments: the fixed-rate generator's windows (what each phase of the
 * Sentry-outage suite reports) and the Sentry sink that plays the outage.
 */

const SINK = fileURLToPath(new URL('../../dist/bench/sentry-sink.js', import.meta.url));

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

describe('fixed-rate timeline', () => {
  let server: http.Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('charges each request to the window it was due in: slow answers and failures after a switch', async () => {
    let switchAt = Number.POSITIVE_INFINITY;
    server = http.createServer((req, res) => {
      const late = performance.now() >= switchAt;
      if (late && req.url === '/fail') return void req.socket.destroy();
      setTimeout(() => res.end('ok'), late ? 30 : 0);
    });
    const url = await listen(server);
    const onStart = () => {
      switchAt = performance.now() + 500;
    };
    const [slow, failing] = await Promise.all([
      fixedRateTimeline(`${url}/slow`, 100, 1, { warmupSeconds: 0, onStart }),
      fixedRateTimeline(`${url}/fail`, 100, 1, { warmupSeconds: 0 }),
    ]);
    const before = slow.window(0, 450);
    const after = slow.window(550, 1000);
    expect(before.sent).toBe(45);
    // The median: on a loaded machine one request of the 45 may wait on the scheduler.
    expect(before.p50).toBeLessThan(25);
    expect(after.sent).toBe(45);
    expect(after.p50).toBeGreaterThanOrEqual(30);
    expect(failing.window(0, 450)).toMatchObject({ errors: 0, ok: 45 });
    expect(failing.window(550, 1000)).toMatchObject({ errors: 45, ok: 0 });
    expect(Number.isNaN(failing.window(550, 1000).p99)).toBe(true);
  });
});

describe('benchmark Sentry sink', () => {
  let sink: ChildProcess | undefined;
  afterEach(() => {
    sink?.kill();
  });

  async function start(): Promise<{ envelopes: string; mode: (m: string) => Promise<number> }> {
    sink = spawn(process.execPath, [SINK], {
      env: { SINK_PORT: '0', SINK_CONTROL_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve) =>
      sink!.stdout!.once('data', (d) => resolve(String(d))),
    );
    const { port, control } = JSON.parse(line) as { port: number; control: number };
    return {
      envelopes: `http://127.0.0.1:${port}/api/1/envelope/`,
      mode: async (m) => (await fetch(`http://127.0.0.1:${control}/${m}`, { method: 'POST' })).status,
    };
  }

  const post = (url: string) => fetch(url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(400) });

  it('answers, refuses connections, hangs, and answers again, switched while it runs', async () => {
    const { envelopes, mode } = await start();
    expect((await post(envelopes)).status).toBe(200);

    expect(await mode('refuses')).toBe(200);
    await expect(post(envelopes)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });

    expect(await mode('hangs')).toBe(200);
    const { port } = new URL(envelopes);
    const held = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => held.once('connect', resolve));
    held.write('POST /api/1/envelope/ HTTP/1.1\r\nhost: sink\r\ncontent-length: 2\r\n\r\n{}');
    const answered = new Promise((resolve) => held.once('data', () => resolve('answered')));
    const closed = new Promise((resolve) => held.once('close', () => resolve('closed')));
    expect(await Promise.race([answered, new Promise((r) => setTimeout(() => r('silent'), 300))])).toBe(
      'silent',
    );

    // Back up: what it held is cut, as a restarted Sentry's connections are, and it answers again.
    expect(await mode('answers')).toBe(200);
    expect(await closed).toBe('closed');
    expect((await post(envelopes)).status).toBe(200);
    expect(await mode('down')).toBe(404);
  });
});
