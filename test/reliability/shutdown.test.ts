import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSidecar } from '../helpers/child-sidecar.js';
import { sleep } from '../helpers/http.js';
import { runLoad, summary } from './support/load.js';
import { type BackendProcess, startBackendProcess } from './support/processes.js';

/**
 * SIGTERM in the middle of a load run: keep-alive clients at concurrency 64, requests of 0 to
 * 300 ms. Every request the sidecar accepted completes with the backend's answer; a request sent
 * after the signal finds the port closed (ECONNREFUSED, safe to retry elsewhere) or is answered.
 * No client sees a reset or a response cut short, and the process exits 0 within its budget.
 */

const SHUTDOWN_TIMEOUT_MS = 10_000;

describe('SIGTERM during load', () => {
  let backend: BackendProcess;

  beforeAll(async () => {
    backend = await startBackendProcess();
  });
  afterAll(() => backend?.stop());

  it('completes every accepted request and resets none', async () => {
    const sidecar = await spawnSidecar({
      UPSTREAM_URL: backend.url,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      ACCESS_LOG: 'true',
    });
    let refused = 0;
    const load = runLoad(sidecar.proxyUrl, {
      total: 1_000_000,
      concurrency: 64,
      spec: (i) =>
        i % 4 === 0 ? { path: `/api/slow?ms=${(i * 37) % 300}` } : { path: `/api/users/${i % 900}` },
      check: (seen) => {
        if (seen.error === 'ECONNREFUSED') refused++;
      },
      // Once the port is closed, a few hundred refusals show that clients are turned away cleanly.
      until: () => refused >= 256,
    });
    await sleep(2_000);
    sidecar.child.kill('SIGTERM');
    const tally = await load;
    const code = await sidecar.exited;
    const at = (msg: string) => Date.parse(String(sidecar.lines().find((l) => l.msg === msg)?.time));
    const stoppedInMs = at('stopped') - at('shutting down');
    console.log(
      `SIGTERM under load: ${summary(tally)}; stopped ${stoppedInMs} ms after the signal, exit code ${code}`,
    );

    expect(code).toBe(0);
    expect(stoppedInMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    // Answered in full, or never accepted: nothing in between.
    expect(tally.incomplete.size).toBe(0);
    expect([...tally.errors.keys()].filter((e) => e !== 'ECONNREFUSED')).toEqual([]);
    expect(tally.byStatus.get(200)).toBeGreaterThan(1_000);
    expect([...tally.byStatus.keys()]).toEqual([200]);

    // The access log, the last record left after exit, has one line per answered request.
    const logged = sidecar.lines().filter((l) => l.msg === 'request');
    expect(logged.length).toBe(tally.byStatus.get(200));
    expect(logged.every((l) => l.status === 200)).toBe(true);
  });
});
