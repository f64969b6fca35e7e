import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_NAMES, type CollectorName } from '../../../src/config/system.js';
import { CERTIFICATE_METRICS } from '../../../src/system/certificates-metrics.js';
import { SYSTEM_METRICS_BY_COLLECTOR } from '../../../src/system/metric-declarations.js';
import { COLLECTOR_METRICS } from '../../../src/system/scheduler-metrics.js';
import { eventually, sleep } from '../../helpers/http.js';
import { parseMetrics, scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../../helpers/sidecar.js';

const FAMILIES = Object.fromEntries(
  Object.entries(SYSTEM_METRICS_BY_COLLECTOR).map(([collector, declared]) => [
    collector,
    Object.values(declared).map((d) => d.name),
  ]),
) as Record<CollectorName, string[]>;

/** Whether the exposition mentions the family at all: a sample, or even just its HELP/TYPE lines. */
function mentions(text: string, family: string): boolean {
  return new RegExp(`^(?:# (?:HELP|TYPE) )?${family}(?:[{ ]|$)`, 'm').test(text);
}

describe('system metrics stay out of the way', () => {
  let dir: string;
  let certFile: string;
  let stack: RunningSidecar | undefined;
  let silent: net.Server;
  const held: net.Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-resilience-'));
    certFile = path.join(dir, 'broken.pem');
    writeFileSync(certFile, 'not a certificate');
    // Accepts TCP connections and never says a word: a TLS handshake with it hangs.
    silent = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hanging collector leaves /metrics fast and the other collectors running', async () => {
    const port = (silent.address() as net.AddressInfo).port;
    stack = await startStack({
      SYSTEM_METRICS_INTERVAL_MS: '100',
      // Long enough that the probe is still hanging for the whole test.
      SYSTEM_METRICS_TIMEOUT_MS: '30000',
      TLS_PROBE_TARGETS: `127.0.0.1:${port}`,
    });
    await eventually(() => held.length > 0);
    const first = await eventually(async () => {
      const r = await scrape(stack!.adminUrl);
      return Number.isFinite(valueOf(r, COLLECTOR_METRICS.lastSuccess.name, { collector: 'host' }))
        ? r
        : undefined;
    });
    const hostSuccess = valueOf(first, COLLECTOR_METRICS.lastSuccess.name, { collector: 'host' });

    const timings: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const res = await fetch(`${stack.adminUrl}/metrics`);
      await res.text();
      timings.push(performance.now() - started);
      expect(res.status).toBe(200);
      await sleep(10);
    }
    timings.sort((a, b) => a - b);
    console.log(
      `/metrics with a hung certificates collector: median ${timings[10]!.toFixed(1)} ms, max ${timings[19]!.toFixed(1)} ms`,
    );
    expect(timings[19]).toBeLessThan(250);

    const later = await scrape(stack.adminUrl);
    // Still hanging: no success, no failure yet, no duration recorded.
    expect(valueOf(later, COLLECTOR_METRICS.lastSuccess.name, { collector: 'certificates' })).toBeNaN();
    expect(valueOf(later, COLLECTOR_METRICS.duration.name, { collector: 'certificates' })).toBeNaN();
    expect(valueOf(later, COLLECTOR_METRICS.lastSuccess.name, { collector: 'host' })).toBeGreaterThan(
      hostSuccess,
    );
    // The proxy is not affected either.
    expect((await fetch(`${stack.proxyUrl}/api/users/1`)).status).toBe(200);
  });

  it('a collector that times out is counted every interval and logged once', async () => {
    const port = (silent.address() as net.AddressInfo).port;
    stack = await startStack({
      SYSTEM_METRICS_INTERVAL_MS: '100',
      SYSTEM_METRICS_TIMEOUT_MS: '50',
      TLS_PROBE_TARGETS: `127.0.0.1:${port}`,
    });
    const s = await eventually(async () => {
      const r = await scrape(stack!.adminUrl);
      return valueOf(r, COLLECTOR_METRICS.errors.name, { collector: 'certificates' }) >= 4 ? r : undefined;
    });
    expect(valueOf(s, CERTIFICATE_METRICS.checkSuccess.name, { source: `127.0.0.1:${port}` })).toBe(0);
    expect(valueOf(s, COLLECTOR_METRICS.duration.name, { collector: 'certificates' })).toBeLessThan(0.2);
    const warnings = stack.logs.lines.filter((l) => l.collector === 'certificates' && l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toContain('did not finish within 50 ms');
  });

  it('a throwing collector leaves /metrics answering', async () => {
    stack = await startStack({ SYSTEM_METRICS_INTERVAL_MS: '100', TLS_CERT_FILES: certFile });
    await eventually(async () => {
      const r = await scrape(stack!.adminUrl);
      return valueOf(r, COLLECTOR_METRICS.errors.name, { collector: 'certificates' }) >= 2;
    });
    const started = performance.now();
    const res = await fetch(`${stack.adminUrl}/metrics`);
    await res.text();
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(250);
  });

  const subjects = {
    // Configured, so that the backend-process and certificate collectors would run.
    BACKEND_PID: String(process.pid),
    TLS_CERT_FILES: '/nonexistent/cert.pem',
    SYSTEM_METRICS_INTERVAL_MS: '100',
  };

  it.each(COLLECTOR_NAMES)('SYSTEM_METRICS_%s=false removes exactly that collector', async (name) => {
    stack = await startStack({ ...subjects, [`SYSTEM_METRICS_${name.toUpperCase()}`]: 'false' });
    await stack.sidecar.system.runOnce();
    const text = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    for (const family of FAMILIES[name]) expect(mentions(text, family), family).toBe(false);
    const samples = parseMetrics(text);
    expect(samples.some((s) => s.name === COLLECTOR_METRICS.errors.name && s.labels.collector === name)).toBe(
      false,
    );
    for (const other of COLLECTOR_NAMES) {
      if (other === name) continue;
      // The others are all there: each has at least one family with HELP/TYPE.
      expect(
        FAMILIES[other].some((family) => mentions(text, family)),
        other,
      ).toBe(true);
    }
  });

  it('SYSTEM_METRICS_ENABLED=false removes every system family', async () => {
    stack = await startStack({ ...subjects, SYSTEM_METRICS_ENABLED: 'false' });
    const text = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    for (const family of Object.values(FAMILIES).flat()) expect(mentions(text, family), family).toBe(false);
    for (const family of [
      COLLECTOR_METRICS.errors.name,
      COLLECTOR_METRICS.duration.name,
      COLLECTOR_METRICS.lastSuccess.name,
    ]) {
      expect(mentions(text, family)).toBe(false);
    }
    expect(stack.sidecar.system.enabled).toBe(false);
    const health = (await (await fetch(`${stack.adminUrl}/health`)).json()) as {
      monitoring: Record<string, boolean>;
    };
    expect(health.monitoring.system_metrics).toBe(false);
  });

  it('the backend and certificate collectors do not exist unless configured', async () => {
    stack = await startStack({ SYSTEM_METRICS_INTERVAL_MS: '100' });
    expect(stack.sidecar.system.collectors).toEqual(['host', 'filesystem', 'disk', 'network', 'cgroup']);
    const text = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    for (const family of [...FAMILIES.backend_process, ...FAMILIES.certificates])
      expect(mentions(text, family)).toBe(false);
  });
});
