import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildSidecar } from '../helpers/child-sidecar.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { type RequestSpec, runLoad, type Seen, statusCounts, summary } from './support/load.js';
import { type BackendProcess, spawnProductionSidecar, startBackendProcess } from './support/processes.js';

/**
 * Nothing lost, nothing invented: a mix of statuses, body sizes, uploads, backend failures and
 * timeouts at concurrency 64, after which the request-duration histogram holds, per status, exactly
 * the number of responses the clients read. RELIABILITY_LOAD_REQUESTS sets the count (100,000).
 */

const TOTAL = Number(process.env.RELIABILITY_LOAD_REQUESTS ?? 100_000);
const CONCURRENCY = 64;
const DURATION_COUNT = 'http_server_request_duration_seconds_count';

const UPLOAD = Buffer.alloc(16 * 1024, 'u');

/** One request of the mix, decided by its index so that every run sends the same traffic. */
function mix(i: number): RequestSpec {
  const slot = i % 200;
  if (slot < 80) return { path: `/api/users/${i % 1200}` }; // 200, or 404 above id 1000
  if (slot < 100) return { path: `/api/fail?status=${[500, 503, 400, 429][i % 4]}` };
  if (slot < 120) return { path: `/api/payload?kb=${1 + (i % 16)}` };
  if (slot < 140) {
    return {
      method: 'POST',
      path: '/api/echo',
      headers: { 'content-type': 'application/octet-stream' },
      body: UPLOAD.subarray(0, (i * 7919) % UPLOAD.length),
    };
  }
  if (slot < 150) return { path: `/api/download?bytes=${(i * 104_729) % 65_536}` };
  if (slot < 160) return { method: 'HEAD', path: '/api/users/7' };
  if (slot < 170) return { path: `/api/catalog/item-${i % 50}` };
  if (slot < 180) return { method: 'DELETE', path: `/no/such/route/${i % 10}` };
  if (slot < 190) return { path: `/api/slow?ms=${i % 20}` };
  if (slot < 196) return { path: '/api/crash' }; // the backend drops the connection: 502 from the sidecar
  if (slot < 198) return { path: '/api/reset' }; // 200, then the body breaks off
  if (slot < 199) return { path: '/api/hang' }; // 504 after UPSTREAM_TIMEOUT_MS
  return { method: 'PUT', path: '/api/upload', body: UPLOAD };
}

/** What the client must see for each kind of request. */
function checkAnswer(seen: Seen, problems: string[]): void {
  const { spec, status } = seen;
  const fail = (what: string) => {
    if (problems.length < 20) problems.push(`${spec.method ?? 'GET'} ${spec.path}: ${what}`);
  };
  if (status === undefined) return fail(`no response (${seen.error})`);
  if (seen.headers?.['x-request-id'] === undefined) fail('no x-request-id');
  if (spec.path === '/api/crash') {
    if (status !== 502) fail(`status ${status}`);
    else if (!seen.body?.toString().includes('"code":"UPSTREAM_RESET"')) fail('no UPSTREAM_RESET body');
    return;
  }
  if (spec.path === '/api/hang') {
    if (status !== 504) fail(`status ${status}`);
    return;
  }
  if (spec.path === '/api/reset') {
    if (status !== 200 || seen.complete) fail(`status ${status}, complete ${seen.complete}`);
    return;
  }
  if (!seen.complete) return fail('body broke off');
  if (spec.path === '/api/echo' && !seen.body?.equals(spec.body as Buffer)) fail('echo differs');
  if (spec.path.startsWith('/api/download')) {
    const expected = Number(spec.path.split('=')[1]);
    if (seen.body?.length !== expected) fail(`download of ${seen.body?.length} bytes, not ${expected}`);
  }
  if (spec.path.startsWith('/api/fail')) {
    const expected = Number(spec.path.split('=')[1]);
    if (status !== expected) fail(`status ${status}`);
  }
}

describe(`${TOTAL} requests at concurrency ${CONCURRENCY}`, () => {
  let backend: BackendProcess;
  let sidecar: ChildSidecar;

  beforeAll(async () => {
    backend = await startBackendProcess();
    sidecar = await spawnProductionSidecar({
      UPSTREAM_URL: backend.url,
      UPSTREAM_TIMEOUT_MS: '1000',
      ROUTE_PATTERNS: '/api/users/:id,/api/catalog/:slug',
    });
  });
  afterAll(async () => {
    await sidecar?.stop();
    await backend?.stop();
  });

  it('counts, per status, exactly the responses the clients read', async () => {
    const problems: string[] = [];
    const tally = await runLoad(sidecar.proxyUrl, {
      total: TOTAL,
      concurrency: CONCURRENCY,
      spec: mix,
      keepBodies: true,
      check: (seen) => checkAnswer(seen, problems),
    });
    console.log(`mixed load: ${summary(tally)}`);
    expect(problems).toEqual([]);
    expect(tally.errors.size).toBe(0);

    const samples = await scrape(sidecar.adminUrl);
    const recorded: Record<string, number> = {};
    for (const s of samples) {
      if (s.name !== DURATION_COUNT) continue;
      const status = s.labels.http_response_status_code!;
      recorded[status] = (recorded[status] ?? 0) + s.value;
    }
    expect(recorded).toEqual(statusCounts(tally));

    // The failures are counted by kind, once each.
    let crashes = 0;
    for (let i = 0; i < TOTAL; i++) if (mix(i).path === '/api/crash') crashes++;
    expect(valueOf(samples, 'sidecar_upstream_errors_total', { error_type: 'timeout' })).toBe(
      tally.byStatus.get(504),
    );
    expect(valueOf(samples, DURATION_COUNT, { error_type: 'upstream_reset' })).toBe(
      tally.byStatus.get(502)! + (tally.incomplete.get(200) ?? 0),
    );
    expect(tally.byStatus.get(502)).toBe(crashes);
    expect(valueOf(samples, 'http_server_active_requests')).toBe(0);
    expect(sidecar.child.exitCode).toBeNull();
  });
});
