import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildSidecar } from '../helpers/child-sidecar.js';
import { eventually, freePort, sleep } from '../helpers/http.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { runLoad, type Seen, statusCounts, summary, type Tally } from './support/load.js';
import { type BackendProcess, spawnProductionSidecar, startBackendProcess } from './support/processes.js';

/**
 * The backend is down when the sidecar starts, then comes up; later it dies under load and comes
 * back. Every client gets the backend's answer or a JSON 502 saying why, never a dropped
 * connection; the request histogram holds exactly what the clients read; the sidecar stays
 * healthy and follows the backend's state in /ready and sidecar_upstream_up.
 */

const DURATION_COUNT = 'http_server_request_duration_seconds_count';

function recordedByStatus(samples: Awaited<ReturnType<typeof scrape>>): Record<string, number> {
  const recorded: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== DURATION_COUNT) continue;
    const status = s.labels.http_response_status_code!;
    recorded[status] = (recorded[status] ?? 0) + s.value;
  }
  return recorded;
}

function addInto(total: Record<string, number>, tally: Tally): void {
  for (const [status, n] of Object.entries(statusCounts(tally))) total[status] = (total[status] ?? 0) + n;
}

/** A 502 the sidecar wrote itself, with one of the expected codes. */
function isSidecar502(seen: Seen, codes: readonly string[]): boolean {
  if (seen.status !== 502 || !seen.complete) return false;
  const body = JSON.parse(seen.body!.toString()) as { code?: string; request_id?: string };
  return codes.includes(body.code ?? '') && body.request_id === seen.headers?.['x-request-id'];
}

async function ready(adminUrl: string): Promise<number> {
  const res = await fetch(`${adminUrl}/ready`);
  await res.arrayBuffer();
  return res.status;
}

describe('backend down at start, then up', () => {
  let port: number;
  let sidecar: ChildSidecar;
  let backend: BackendProcess | undefined;

  beforeAll(async () => {
    port = await freePort();
    sidecar = await spawnProductionSidecar({
      UPSTREAM_URL: `http://127.0.0.1:${port}`,
      UPSTREAM_HEALTH_INTERVAL_MS: '200',
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
  });

  it('answers 502 UPSTREAM_CONNECTION_REFUSED while down, the backend once up, and says which in /ready', async () => {
    const expected: Record<string, number> = {};
    const problems: string[] = [];
    const down = await runLoad(sidecar.proxyUrl, {
      total: 3_000,
      concurrency: 32,
      spec: (i) => ({ path: `/api/users/${i % 100}` }),
      keepBodies: true,
      check: (seen) => {
        if (!isSidecar502(seen, ['UPSTREAM_CONNECTION_REFUSED']))
          problems.push(`${seen.status} ${seen.error}`);
      },
    });
    console.log(`backend down: ${summary(down)}`);
    expect(problems.slice(0, 5)).toEqual([]);
    addInto(expected, down);
    expect(await ready(sidecar.adminUrl)).toBe(503);
    expect((await fetch(`${sidecar.adminUrl}/health`)).status).toBe(200);

    backend = await startBackendProcess(port);
    await eventually(async () => (await ready(sidecar.adminUrl)) === 200, 10_000);
    const up = await runLoad(sidecar.proxyUrl, {
      total: 3_000,
      concurrency: 32,
      spec: (i) => ({ path: `/api/users/${i % 100}` }),
    });
    console.log(`backend up: ${summary(up)}`);
    expect(statusCounts(up)).toEqual({ '200': 3_000 });
    addInto(expected, up);

    const samples = await scrape(sidecar.adminUrl);
    expect(recordedByStatus(samples)).toEqual(expected);
    expect(valueOf(samples, 'sidecar_upstream_errors_total', { error_type: 'connection_refused' })).toBe(
      3_000,
    );
    expect(
      valueOf(samples, DURATION_COUNT, { http_response_status_code: '502', http_route: '__unconfirmed__' }),
    ).toBe(3_000);
    expect(valueOf(samples, 'sidecar_upstream_up')).toBe(1);
  });
});

describe('backend dies under load and comes back', () => {
  let sidecar: ChildSidecar;
  let backend: BackendProcess;

  beforeAll(async () => {
    backend = await startBackendProcess();
    sidecar = await spawnProductionSidecar({ UPSTREAM_URL: backend.url, UPSTREAM_HEALTH_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
  });

  it('answers every request with the backend response or a JSON 502, and counts exactly that', async () => {
    const problems: string[] = [];
    const expected: Record<string, number> = {};
    let outage = false;
    let done = false;
    const load = runLoad(sidecar.proxyUrl, {
      total: 1_000_000,
      concurrency: 64,
      spec: (i) =>
        i % 5 === 0
          ? { path: `/api/payload?kb=${1 + (i % 8)}` }
          : i % 5 === 1
            ? { path: `/api/slow?ms=${i % 40}` }
            : { path: `/api/users/${i % 100}` },
      keepBodies: true,
      check: (seen) => {
        if (seen.status === 200 && seen.complete) return;
        // A response the backend had started when it died breaks off after its headers.
        if (seen.status === 200 && !seen.complete) return;
        if (isSidecar502(seen, ['UPSTREAM_CONNECTION_REFUSED', 'UPSTREAM_RESET'])) return;
        if (problems.length < 10) problems.push(`${seen.spec.path}: ${seen.status} ${seen.error ?? ''}`);
      },
      until: () => done,
    });
    await sleep(1_500);
    await backend.kill();
    outage = true;
    await sleep(1_000);
    await backend.restart();
    await eventually(async () => (await ready(sidecar.adminUrl)) === 200, 10_000);
    await sleep(1_000);
    done = true;
    const tally = await load;
    console.log(`backend killed and restarted under load: ${summary(tally)}`);
    expect(outage).toBe(true);
    expect(problems).toEqual([]);
    expect(tally.errors.size).toBe(0);
    expect(tally.byStatus.get(502)).toBeGreaterThan(0);
    addInto(expected, tally);

    // Back to normal: every request answered by the backend again.
    const after = await runLoad(sidecar.proxyUrl, {
      total: 2_000,
      concurrency: 64,
      spec: (i) => ({ path: `/api/users/${i % 100}` }),
    });
    expect(statusCounts(after)).toEqual({ '200': 2_000 });
    addInto(expected, after);

    const samples = await scrape(sidecar.adminUrl);
    expect(recordedByStatus(samples)).toEqual(expected);
    const refused = valueOf(samples, 'sidecar_upstream_errors_total', { error_type: 'connection_refused' });
    const reset = valueOf(samples, 'sidecar_upstream_errors_total', { error_type: 'upstream_reset' });
    const broken = tally.incomplete.get(200) ?? 0;
    expect((Number.isNaN(refused) ? 0 : refused) + (Number.isNaN(reset) ? 0 : reset)).toBe(
      tally.byStatus.get(502)! + broken,
    );
    expect(valueOf(samples, 'http_server_active_requests')).toBe(0);
    expect(sidecar.child.exitCode).toBeNull();
  });
});
