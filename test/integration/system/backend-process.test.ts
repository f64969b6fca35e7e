import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_PROCESS_METRICS } from '../../../src/system/backend-process-metrics.js';
import { COLLECTOR_METRICS } from '../../../src/system/scheduler-metrics.js';
import { eventually, sleep } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';

const BURNER = fileURLToPath(new URL('../../fixtures/cpu-burner.mjs', import.meta.url));
// Collected often, so the tests are quick; the timeout (by default the interval) is longer, so
// a collection that a busy machine delays is not counted as the collector failing, which these
// tests check never happens.
const INTERVAL = { SYSTEM_METRICS_INTERVAL_MS: '200', SYSTEM_METRICS_TIMEOUT_MS: '2000' };
const CPUS = os.availableParallelism();

interface Burner {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly spawnedAt: number;
  /** The pid of its own child, with --with-child. */
  readonly childPid: number | undefined;
}

const children: ChildProcess[] = [];

async function startBurner(token: string, withChild = false): Promise<Burner> {
  const spawnedAt = Date.now() / 1000;
  const child = spawn(process.execPath, [BURNER, token, ...(withChild ? ['--with-child'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const line = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim()));
  });
  const childPid = line.startsWith('child ') ? Number(line.slice(6)) : undefined;
  return { process: child, pid: child.pid!, spawnedAt, childPid };
}

function stop(burner: Burner): Promise<void> {
  return new Promise((resolve) => {
    if (burner.process.exitCode !== null || burner.process.signalCode !== null) return resolve();
    burner.process.once('exit', () => resolve());
    burner.process.kill('SIGTERM');
  });
}

/** The kernel's own figure for a process's resident set (VmRSS in /proc/<pid>/status). */
function kernelRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

describe('backend process metrics', () => {
  let sidecar: RunningSidecar | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sidecar-backend-'));
  });
  afterEach(async () => {
    await sidecar?.close();
    sidecar = undefined;
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the backend by BACKEND_PID: memory as the kernel counts it, CPU rising while it burns', async () => {
    const burner = await startBurner(`backend-${randomUUID()}`);
    sidecar = await startSidecar('http://127.0.0.1:9', { ...INTERVAL, BACKEND_PID: String(burner.pid) });

    const idle = await eventually(async () => {
      const s = await scrape(sidecar!.adminUrl);
      return Number.isFinite(valueOf(s, BACKEND_PROCESS_METRICS.cpuUtilization.name)) ? s : undefined;
    });
    expect(valueOf(idle, BACKEND_PROCESS_METRICS.found.name)).toBe(1);
    expect(valueOf(idle, BACKEND_PROCESS_METRICS.count.name)).toBe(1);
    expect(valueOf(idle, BACKEND_PROCESS_METRICS.cpuUtilization.name)).toBeLessThan(0.2);
    expect(Math.abs(valueOf(idle, BACKEND_PROCESS_METRICS.memory.name) - kernelRss(burner.pid))).toBeLessThan(
      8 * 1024 ** 2,
    );
    expect(Math.abs(valueOf(idle, BACKEND_PROCESS_METRICS.startTime.name) - burner.spawnedAt)).toBeLessThan(
      2,
    );
    const cpuBefore = valueOf(idle, BACKEND_PROCESS_METRICS.cpuTime.name);

    burner.process.kill('SIGUSR1');
    // One busy core is 1/CPUS of the machine: 0.5 on two cores.
    const busy = await eventually(async () => {
      const s = await scrape(sidecar!.adminUrl);
      return valueOf(s, BACKEND_PROCESS_METRICS.cpuUtilization.name) > 0.6 / CPUS ? s : undefined;
    });
    burner.process.kill('SIGUSR2');
    expect(valueOf(busy, BACKEND_PROCESS_METRICS.cpuUtilization.name)).toBeLessThanOrEqual(1.05);
    expect(valueOf(busy, BACKEND_PROCESS_METRICS.cpuTime.name)).toBeGreaterThan(cpuBefore + 0.1);

    await stop(burner);
    const gone = await eventually(async () => {
      const s = await scrape(sidecar!.adminUrl);
      return valueOf(s, BACKEND_PROCESS_METRICS.found.name) === 0 ? s : undefined;
    });
    expect(valueOf(gone, BACKEND_PROCESS_METRICS.count.name)).toBe(0);
    expect(valueOf(gone, BACKEND_PROCESS_METRICS.memory.name)).toBeNaN();
    expect(valueOf(gone, BACKEND_PROCESS_METRICS.cpuUtilization.name)).toBeNaN();
    // A backend that is not running is a finding, not a collector failure.
    expect(valueOf(gone, COLLECTOR_METRICS.errors.name, { collector: 'backend_process' })).toBe(0);
  });

  it('follows BACKEND_PID_FILE, also when the backend restarts with a new pid', async () => {
    const pidFile = path.join(dir, 'backend.pid');
    sidecar = await startSidecar('http://127.0.0.1:9', { ...INTERVAL, BACKEND_PID_FILE: pidFile });
    // No pid file yet: the backend has not started.
    await sleep(300);
    let s = await scrape(sidecar.adminUrl);
    expect(valueOf(s, BACKEND_PROCESS_METRICS.found.name)).toBe(0);
    expect(valueOf(s, COLLECTOR_METRICS.errors.name, { collector: 'backend_process' })).toBe(0);

    const first = await startBurner(`backend-${randomUUID()}`);
    await writeFile(pidFile, `${first.pid}\n`);
    s = await eventually(async () => {
      const r = await scrape(sidecar!.adminUrl);
      return valueOf(r, BACKEND_PROCESS_METRICS.found.name) === 1 ? r : undefined;
    });
    const firstStart = valueOf(s, BACKEND_PROCESS_METRICS.startTime.name);
    expect(Math.abs(valueOf(s, BACKEND_PROCESS_METRICS.memory.name) - kernelRss(first.pid))).toBeLessThan(
      8 * 1024 ** 2,
    );

    const second = await startBurner(`backend-${randomUUID()}`);
    await writeFile(pidFile, `${second.pid}\n`);
    await stop(first);
    s = await eventually(async () => {
      const r = await scrape(sidecar!.adminUrl);
      return valueOf(r, BACKEND_PROCESS_METRICS.startTime.name) > firstStart ? r : undefined;
    });
    expect(valueOf(s, BACKEND_PROCESS_METRICS.found.name)).toBe(1);
    expect(Math.abs(valueOf(s, BACKEND_PROCESS_METRICS.startTime.name) - second.spawnedAt)).toBeLessThan(2);

    await writeFile(pidFile, 'not a pid\n');
    s = await eventually(async () => {
      const r = await scrape(sidecar!.adminUrl);
      return valueOf(r, COLLECTOR_METRICS.errors.name, { collector: 'backend_process' }) > 0 ? r : undefined;
    });
    expect(valueOf(s, BACKEND_PROCESS_METRICS.found.name)).toBe(0);
    expect(sidecar.logs.text()).toContain('does not hold a process id');
    await stop(second);
  });

  it('finds the backend by BACKEND_PROCESS_MATCH, workers included', async () => {
    const token = `backend-${randomUUID()}`;
    const parent = await startBurner(token, true);
    expect(parent.childPid).toBeGreaterThan(0);
    sidecar = await startSidecar('http://127.0.0.1:9', { ...INTERVAL, BACKEND_PROCESS_MATCH: token });
    const s = await eventually(async () => {
      const r = await scrape(sidecar!.adminUrl);
      return valueOf(r, BACKEND_PROCESS_METRICS.found.name) === 1 ? r : undefined;
    });
    // The worker matches too, but counts once: as part of its parent's tree.
    expect(valueOf(s, BACKEND_PROCESS_METRICS.count.name)).toBe(2);
    expect(Math.abs(valueOf(s, BACKEND_PROCESS_METRICS.startTime.name) - parent.spawnedAt)).toBeLessThan(2);
    // Both processes may still be growing right after start-up (more so on a loaded machine):
    // the figure must reach the kernel's sum at one of the next collections.
    await eventually(async () => {
      const r = await scrape(sidecar!.adminUrl);
      const rss = kernelRss(parent.pid) + kernelRss(parent.childPid!);
      return Math.abs(valueOf(r, BACKEND_PROCESS_METRICS.memory.name) - rss) < 16 * 1024 ** 2;
    });

    // The worker burns: the backend's CPU rises although the matched root is idle. CPU time,
    // not utilisation, is the measure: on a loaded machine the worker may get a fraction of a
    // core, but every second it gets must reach the backend's counter.
    const cpuBefore = valueOf(await scrape(sidecar.adminUrl), BACKEND_PROCESS_METRICS.cpuTime.name);
    process.kill(parent.childPid!, 'SIGUSR1');
    await eventually(async () => {
      const r = await scrape(sidecar!.adminUrl);
      return (
        valueOf(r, BACKEND_PROCESS_METRICS.cpuTime.name) > cpuBefore + 1 &&
        valueOf(r, BACKEND_PROCESS_METRICS.cpuUtilization.name) > 0.1 / CPUS
      );
    }, 40_000);
    process.kill(parent.childPid!, 'SIGUSR2');
    await stop(parent);
  }, 60_000);
});
