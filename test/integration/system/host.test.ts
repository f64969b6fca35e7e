import { existsSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CGROUP_METRICS } from '../../../src/system/cgroup-metrics.js';
import { DISK_METRICS } from '../../../src/system/disk-io-metrics.js';
import { FILESYSTEM_METRICS } from '../../../src/system/filesystem-metrics.js';
import { CPU_MODES } from '../../../src/system/host-cpu-memory.js';
import { HOST_METRICS } from '../../../src/system/host-cpu-memory-metrics.js';
import { NETWORK_METRICS } from '../../../src/system/network-metrics.js';
import { COLLECTOR_METRICS } from '../../../src/system/scheduler-metrics.js';
import { UPSTREAM_POOL_METRICS } from '../../../src/system/upstream-pool-metrics.js';
import { eventually, sleep } from '../../helpers/http.js';
import { type Sample, scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../../helpers/sidecar.js';

const MiB = 1024 ** 2;

/** The kernel's own numbers, read independently of the sidecar's parsers. */
function meminfo(): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of readFileSync('/proc/meminfo', 'utf8').split('\n')) {
    const m = /^(\w+(?:\(\w+\))?):\s+(\d+)(?: kB)?$/.exec(line);
    if (m) values[m[1]!] = Number(m[2]) * (line.endsWith('kB') ? 1024 : 1);
  }
  return values;
}

function procStatCpu(): { fields: number[]; cpus: number } {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const fields = lines
    .find((l) => l.startsWith('cpu '))!
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { fields, cpus: lines.filter((l) => /^cpu\d+ /.test(l)).length };
}

function netDev(): Map<string, { rxBytes: number; rxPackets: number; txBytes: number }> {
  const result = new Map<string, { rxBytes: number; rxPackets: number; txBytes: number }>();
  for (const line of readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest) continue;
    const f = rest.trim().split(/\s+/).map(Number);
    result.set(name!.trim(), { rxBytes: f[0]!, rxPackets: f[1]!, txBytes: f[8]! });
  }
  return result;
}

function diskstats(): Map<string, { readSectors: number; writeSectors: number; reads: number }> {
  const result = new Map<string, { readSectors: number; writeSectors: number; reads: number }>();
  for (const line of readFileSync('/proc/diskstats', 'utf8').trim().split('\n')) {
    const f = line.trim().split(/\s+/);
    result.set(f[2]!, { reads: Number(f[3]), readSectors: Number(f[5]), writeSectors: Number(f[9]) });
  }
  return result;
}

/** The sidecar's (this process's) memory cgroup files, found the simple way for the common layouts. */
function cgroupFiles(): { usage: string; cpu: string; cpuScale: number } | undefined {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  const v1 = (controller: string) => lines.find((l) => l.split(':')[1]!.split(',').includes(controller));
  const memory = v1('memory');
  const cpuacct = v1('cpuacct');
  if (memory && cpuacct && existsSync('/sys/fs/cgroup/memory')) {
    const dir = (line: string, mount: string) =>
      `/sys/fs/cgroup/${mount}${line.split(':')[2] === '/' ? '' : line.split(':')[2]}`;
    const cpuMount = existsSync('/sys/fs/cgroup/cpuacct') ? 'cpuacct' : 'cpu,cpuacct';
    const usage = `${dir(memory, 'memory')}/memory.usage_in_bytes`;
    const cpu = `${dir(cpuacct, cpuMount)}/cpuacct.usage`;
    return existsSync(usage) && existsSync(cpu) ? { usage, cpu, cpuScale: 1e9 } : undefined;
  }
  const unified = lines.find((l) => l.startsWith('0::'));
  if (unified) {
    const path = unified.slice(3);
    const dir = `/sys/fs/cgroup${path === '/' ? '' : path}`;
    if (existsSync(`${dir}/memory.current`))
      return { usage: `${dir}/memory.current`, cpu: `${dir}/cpu.stat`, cpuScale: 1e6 };
  }
  return undefined;
}

describe('host metrics against the kernel', () => {
  let stack: RunningSidecar;
  let samples: Sample[];

  beforeAll(async () => {
    // A timeout above the interval: a collection a busy machine delays is not a collector failure,
    // which this suite checks never happens.
    stack = await startStack({ SYSTEM_METRICS_INTERVAL_MS: '200', SYSTEM_METRICS_TIMEOUT_MS: '2000' });
    // Utilisation needs two readings.
    samples = await eventually(async () => {
      const s = await scrape(stack.adminUrl);
      return Number.isFinite(valueOf(s, HOST_METRICS.cpuUtilization.name)) ? s : undefined;
    });
  });
  afterAll(() => stack.close());

  it('memory matches /proc/meminfo', () => {
    const kernel = meminfo();
    expect(valueOf(samples, HOST_METRICS.memoryLimit.name)).toBe(kernel.MemTotal);
    const near = (value: number, expected: number) =>
      expect(Math.abs(value - expected)).toBeLessThan(64 * MiB);
    near(valueOf(samples, HOST_METRICS.memoryAvailable.name), kernel.MemAvailable!);
    near(
      valueOf(samples, HOST_METRICS.memoryUsage.name, { system_memory_state: 'used' }),
      kernel.MemTotal! - kernel.MemAvailable!,
    );
    near(valueOf(samples, HOST_METRICS.memoryUsage.name, { system_memory_state: 'free' }), kernel.MemFree!);
    near(valueOf(samples, HOST_METRICS.memoryUsage.name, { system_memory_state: 'cached' }), kernel.Cached!);
    near(
      valueOf(samples, HOST_METRICS.memoryUsage.name, { system_memory_state: 'buffers' }),
      kernel.Buffers!,
    );
    near(
      valueOf(samples, HOST_METRICS.pagingUsage.name, { system_paging_state: 'used' }),
      kernel.SwapTotal! - kernel.SwapFree!,
    );
  });

  it('CPU time matches /proc/stat, utilisation shares sum to 1', () => {
    const { fields, cpus } = procStatCpu();
    expect(valueOf(samples, HOST_METRICS.cpuLogicalCount.name)).toBe(cpus);
    // The sidecar read the counters at most an interval (plus scheduling) before the test did.
    const slack = 2 * cpus;
    const check = (mode: string, ticks: number) => {
      const lag = ticks / 100 - valueOf(samples, HOST_METRICS.cpuTime.name, { cpu_mode: mode });
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(slack);
    };
    check('user', fields[0]!);
    check('system', fields[2]!);
    check('idle', fields[3]!);
    check('interrupt', fields[5]! + fields[6]!);
    let sum = 0;
    for (const mode of CPU_MODES) {
      const share = valueOf(samples, HOST_METRICS.cpuUtilization.name, { cpu_mode: mode });
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
      sum += share;
    }
    expect(sum).toBeCloseTo(1, 9);
  });

  it('load average matches /proc/loadavg', () => {
    const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    // The kernel recomputes the averages every 5 s; the 1 m one moves fastest.
    expect(Math.abs(valueOf(samples, HOST_METRICS.loadAverage1m.name) - one!)).toBeLessThan(1);
    expect(Math.abs(valueOf(samples, HOST_METRICS.loadAverage5m.name) - five!)).toBeLessThan(0.5);
    expect(Math.abs(valueOf(samples, HOST_METRICS.loadAverage15m.name) - fifteen!)).toBeLessThan(0.3);
  });

  it('network counters match /proc/net/dev, loopback left out', () => {
    const kernel = netDev();
    const reported = new Set(
      samples.filter((s) => s.name === NETWORK_METRICS.io.name).map((s) => s.labels.network_interface_name),
    );
    expect(reported.has('lo')).toBe(false);
    expect([...reported].sort()).toEqual([...kernel.keys()].filter((n) => n !== 'lo').sort());
    for (const name of reported) {
      const k = kernel.get(name!)!;
      const rx = valueOf(samples, NETWORK_METRICS.io.name, {
        network_interface_name: name!,
        network_io_direction: 'receive',
      });
      expect(k.rxBytes - rx).toBeGreaterThanOrEqual(0);
      expect(k.rxBytes - rx).toBeLessThan(64 * MiB);
      const tx = valueOf(samples, NETWORK_METRICS.io.name, {
        network_interface_name: name!,
        network_io_direction: 'transmit',
      });
      expect(k.txBytes - tx).toBeGreaterThanOrEqual(0);
      const packets = valueOf(samples, NETWORK_METRICS.packets.name, {
        network_interface_name: name!,
        network_io_direction: 'receive',
      });
      expect(k.rxPackets - packets).toBeGreaterThanOrEqual(0);
      expect(k.rxPackets - packets).toBeLessThan(100_000);
    }
  });

  it('disk counters match /proc/diskstats for whole disks only', () => {
    const kernel = diskstats();
    const devices = new Set(
      samples.filter((s) => s.name === DISK_METRICS.io.name).map((s) => s.labels.system_device!),
    );
    expect(devices.size).toBeGreaterThan(0);
    for (const device of devices) {
      expect(device).not.toMatch(/^(loop|ram|zram)\d+$/);
      expect(existsSync(`/sys/block/${device}`)).toBe(true);
      const k = kernel.get(device)!;
      const read = valueOf(samples, DISK_METRICS.io.name, {
        system_device: device,
        disk_io_direction: 'read',
      });
      expect(k.readSectors * 512 - read).toBeGreaterThanOrEqual(0);
      expect(k.readSectors * 512 - read).toBeLessThan(256 * MiB);
      const written = valueOf(samples, DISK_METRICS.io.name, {
        system_device: device,
        disk_io_direction: 'write',
      });
      expect(k.writeSectors * 512 - written).toBeGreaterThanOrEqual(0);
      expect(k.writeSectors * 512 - written).toBeLessThan(256 * MiB);
      const reads = valueOf(samples, DISK_METRICS.operations.name, {
        system_device: device,
        disk_io_direction: 'read',
      });
      expect(k.reads - reads).toBeGreaterThanOrEqual(0);
    }
  });

  it('the root filesystem matches statfs(2); pseudo filesystems are left out', async () => {
    const root = samples.find(
      (s) => s.name === FILESYSTEM_METRICS.limit.name && s.labels.system_filesystem_mountpoint === '/',
    );
    expect(root).toBeDefined();
    const s = await statfs('/');
    expect(root!.value).toBe(s.blocks * s.bsize);
    const labels = { system_filesystem_mountpoint: '/' };
    const used = valueOf(samples, FILESYSTEM_METRICS.usage.name, {
      ...labels,
      system_filesystem_state: 'used',
    });
    const free = valueOf(samples, FILESYSTEM_METRICS.usage.name, {
      ...labels,
      system_filesystem_state: 'free',
    });
    const reserved = valueOf(samples, FILESYSTEM_METRICS.usage.name, {
      ...labels,
      system_filesystem_state: 'reserved',
    });
    expect(Math.abs(used - (s.blocks - s.bfree) * s.bsize)).toBeLessThan(64 * MiB);
    expect(Math.abs(free - s.bavail * s.bsize)).toBeLessThan(64 * MiB);
    expect(used + free + reserved).toBe(root!.value);
    expect(valueOf(samples, FILESYSTEM_METRICS.utilization.name, labels)).toBeCloseTo(
      used / (used + free),
      6,
    );

    const types = new Set(
      samples
        .filter((x) => x.name === FILESYSTEM_METRICS.limit.name)
        .map((x) => x.labels.system_filesystem_type),
    );
    for (const pseudo of ['proc', 'sysfs', 'tmpfs', 'devtmpfs', 'cgroup', 'cgroup2', 'devpts', 'squashfs']) {
      expect(types.has(pseudo)).toBe(false);
    }
  });

  it("the cgroup's memory and CPU match its own files", () => {
    const files = cgroupFiles();
    if (!files) {
      console.warn('no readable memory cgroup for this process: cgroup comparison skipped');
      return;
    }
    const usage = Number(readFileSync(files.usage, 'utf8'));
    expect(Math.abs(valueOf(samples, CGROUP_METRICS.memoryUsage.name) - usage)).toBeLessThan(128 * MiB);
    const cpuText = readFileSync(files.cpu, 'utf8');
    const cpuRaw = files.cpuScale === 1e9 ? Number(cpuText) : Number(/^usage_usec (\d+)$/m.exec(cpuText)![1]);
    const lag = cpuRaw / files.cpuScale - valueOf(samples, CGROUP_METRICS.cpuTime.name);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(4);
    // An unlimited cgroup has no limit series rather than a huge or zero one.
    const limit = valueOf(samples, CGROUP_METRICS.memoryLimit.name);
    expect(Number.isNaN(limit) || (limit > 0 && limit < 2 ** 62)).toBe(true);
  });

  it('no collector failed, and /health reports system metrics on', async () => {
    for (const s of samples.filter((x) => x.name === COLLECTOR_METRICS.errors.name)) expect(s.value).toBe(0);
    const health = (await (await fetch(`${stack.adminUrl}/health`)).json()) as {
      monitoring: Record<string, boolean>;
    };
    expect(health.monitoring.system_metrics).toBe(true);
  });
});

describe('upstream pool metrics', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ UPSTREAM_MAX_SOCKETS: '1' });
  });
  afterAll(() => stack.close());

  it('shows active and idle connections and the requests queued for one', async () => {
    let s = await scrape(stack.adminUrl);
    expect(valueOf(s, UPSTREAM_POOL_METRICS.maxConnections.name)).toBe(1);
    expect(valueOf(s, UPSTREAM_POOL_METRICS.queuedRequests.name)).toBe(0);

    const requests = [1, 2, 3].map(() => fetch(`${stack.proxyUrl}/api/slow?ms=200`).then((r) => r.json()));
    s = await eventually(async () => {
      const r = await scrape(stack.adminUrl);
      return valueOf(r, UPSTREAM_POOL_METRICS.queuedRequests.name) === 2 ? r : undefined;
    });
    expect(valueOf(s, UPSTREAM_POOL_METRICS.connections.name, { http_connection_state: 'active' })).toBe(1);
    await Promise.all(requests);
    await sleep(20);
    s = await scrape(stack.adminUrl);
    expect(valueOf(s, UPSTREAM_POOL_METRICS.queuedRequests.name)).toBe(0);
    expect(valueOf(s, UPSTREAM_POOL_METRICS.connections.name, { http_connection_state: 'active' })).toBe(0);
    // Kept alive for the next request.
    expect(valueOf(s, UPSTREAM_POOL_METRICS.connections.name, { http_connection_state: 'idle' })).toBe(1);
  });
});
