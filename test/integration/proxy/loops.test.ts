import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { json, listenOnLoopback, request, sleep } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

/**
 * A misconfiguration that sends the sidecar's requests back to it, through a TCP forwarder (as
 * a load balancer or a port mapping would) or through a second sidecar. Forwarding them would
 * multiply every request until sockets run out; the Via mark stops the loop at its second pass.
 */
interface Forwarder {
  readonly url: string;
  /** Where connections go from now on. */
  target: number;
  close(): void;
}

async function tcpForwarder(): Promise<Forwarder> {
  const sockets = new Set<net.Socket>();
  const forwarder: Forwarder = { url: '', target: 0, close: () => {} };
  const server = net.createServer((client) => {
    const upstream = net.connect(forwarder.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(forwarder, {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  });
}

const running: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.close();
});

/** One probe at start, which goes round the loop like any request, then none during a test. */
const QUIET_PROBE = { UPSTREAM_HEALTH_INTERVAL_MS: '60000' };

const rejectedLoops = async (s: RunningSidecar) =>
  valueOf(await scrape(s.adminUrl), 'sidecar_rejected_requests_total', { error_type: 'loop_detected' });

describe('request loops', () => {
  it('marks what it forwards with Via', async () => {
    const seen: Array<string | undefined> = [];
    const backend = await listenOnLoopback((req, res) => {
      if (req.url === '/a') seen.push(req.headers.via);
      res.end('ok');
    });
    running.push(backend);
    const sidecar = await startSidecar(backend.url);
    running.push(sidecar);
    await request(`${sidecar.proxyUrl}/a`, { headers: { via: '1.1 nginx' } });
    expect(seen).toEqual([`1.1 nginx, 1.1 ${os.hostname()}:${sidecar.proxyPort}`]);
  });

  it('answers 508 when its requests come back to it', async () => {
    const forwarder = await tcpForwarder();
    running.push(forwarder);
    const sidecar = await startSidecar(forwarder.url, QUIET_PROBE);
    running.push(sidecar);
    forwarder.target = sidecar.proxyPort;

    // The health probes at start go round the loop too: counts are read once they are done.
    await sleep(500);
    const before = await rejectedLoops(sidecar);
    const res = await request(`${sidecar.proxyUrl}/api/items`);
    expect(res.status).toBe(508);
    expect(json(res)).toMatchObject({ error: 'Loop Detected', code: 'LOOP_DETECTED' });
    expect(String(json(res).message)).toContain('Point UPSTREAM_URL at the backend');
    expect(await rejectedLoops(sidecar)).toBe(before + 1);
  });

  it('answers 508 for a loop through two sidecars, each request passing each once', async () => {
    const forwarder = await tcpForwarder();
    running.push(forwarder);
    const a = await startSidecar(forwarder.url, QUIET_PROBE);
    running.push(a);
    const b = await startSidecar(a.proxyUrl, QUIET_PROBE);
    running.push(b);
    // a → forwarder → b → a: the second time a sees the request, its own mark is on it.
    forwarder.target = b.proxyPort;

    const routeCount = async (s: RunningSidecar) =>
      valueOf(await scrape(s.adminUrl), 'http_server_request_duration_seconds_count', {
        http_route: '/api/items',
      });
    await sleep(500);
    const [beforeA, beforeB] = [await rejectedLoops(a), await rejectedLoops(b)];
    const res = await request(`${a.proxyUrl}/api/items`);
    expect(res.status).toBe(508);
    // The request came back to a, which stopped it; b saw it once, unmarked by itself.
    expect(await rejectedLoops(a)).toBe(beforeA + 1);
    expect(await rejectedLoops(b)).toBe(beforeB);
    // Each sidecar forwarded it once and recorded the 508 that came back.
    expect(await routeCount(a)).toBe(1);
    expect(await routeCount(b)).toBe(1);
  });
});
