import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Registry } from 'prom-client';
import { HOST_METRICS } from './host-cpu-memory-metrics.js';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotCounter, snapshotGauge } from './snapshot-metric.js';

/**
 * /proc/stat counts in USER_HZ ticks. USER_HZ is part of the kernel's user-space ABI and is 100
 * on every architecture Node.js runs on, whatever the kernel's internal HZ.
 */
export const USER_HZ = 100;

/** The `cpu.mode` values of the OpenTelemetry conventions, from the columns of /proc/stat. */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'interrupt', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];
export type CpuTicks = Record<CpuMode, number>;

export interface ProcStat {
  /** Ticks summed over all CPUs, by mode. `user` and `nice` already include guest time. */
  readonly total: CpuTicks;
  readonly logicalCpus: number;
}

/** Parses the aggregate `cpu` line and counts the `cpuN` lines of /proc/stat. */
export function parseProcStat(text: string): ProcStat {
  let total: CpuTicks | undefined;
  let logicalCpus = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [label, ...fields] = line.trim().split(/\s+/);
    if (label === 'cpu') {
      const n = fields.map(Number);
      const at = (i: number) => (Number.isFinite(n[i]) ? n[i]! : 0);
      total = {
        user: at(0),
        nice: at(1),
        system: at(2),
        idle: at(3),
        iowait: at(4),
        interrupt: at(5) + at(6),
        steal: at(7),
      };
    } else if (/^cpu\d+$/.test(label ?? '')) {
      logicalCpus++;
    }
  }
  if (!total) throw new Error('no aggregate "cpu" line in /proc/stat');
  return { total, logicalCpus };
}

/** Each mode's share of the CPU time that passed between two readings; undefined if none passed. */
export function cpuUtilization(before: CpuTicks, after: CpuTicks): CpuTicks | undefined {
  let elapsed = 0;
  for (const mode of CPU_MODES) elapsed += Math.max(0, after[mode] - before[mode]);
  if (elapsed <= 0) return undefined;
  const shares = {} as CpuTicks;
  for (const mode of CPU_MODES) shares[mode] = Math.max(0, after[mode] - before[mode]) / elapsed;
  return shares;
}

interface MemorySnapshot {
  readonly total: number;
  readonly available: number;
  readonly free: number;
  readonly buffers: number;
  readonly cached: number;
  readonly swapTotal: number;
  readonly swapFree: number;
}

interface HostSnapshot {
  readonly cpu: ProcStat;
  readonly utilization: CpuTicks | undefined;
  readonly load: readonly [number, number, number];
  readonly memory: MemorySnapshot;
}

type SystemInformation = typeof import('systeminformation');
let systemInformation: Promise<SystemInformation> | undefined;

type Read = () => HostSnapshot | undefined;

function registerCpuFamilies(registry: Registry, read: Read): void {
  snapshotCounter(registry, HOST_METRICS.cpuTime, () =>
    CPU_MODES.map((mode): Sample => [{ cpu_mode: mode }, (read()?.cpu.total[mode] ?? NaN) / USER_HZ]),
  );
  snapshotGauge(registry, HOST_METRICS.cpuUtilization, () => {
    const shares = read()?.utilization;
    return shares ? CPU_MODES.map((mode): Sample => [{ cpu_mode: mode }, shares[mode]]) : [];
  });
  snapshotGauge(registry, HOST_METRICS.cpuLogicalCount, () => {
    const snapshot = read();
    return snapshot ? [[{}, snapshot.cpu.logicalCpus]] : [];
  });
  [HOST_METRICS.loadAverage1m, HOST_METRICS.loadAverage5m, HOST_METRICS.loadAverage15m].forEach(
    (declaration, i) => {
      snapshotGauge(registry, declaration, () => {
        const snapshot = read();
        return snapshot ? [[{}, snapshot.load[i]!]] : [];
      });
    },
  );
}

const memoryStates = (m: MemorySnapshot): Sample[] => [
  [{ system_memory_state: 'used' }, m.total - m.available],
  [{ system_memory_state: 'free' }, m.free],
  [{ system_memory_state: 'cached' }, m.cached],
  [{ system_memory_state: 'buffers' }, m.buffers],
];

function registerMemoryFamilies(registry: Registry, read: Read): void {
  const memory = () => read()?.memory;
  snapshotGauge(registry, HOST_METRICS.memoryUsage, () => {
    const m = memory();
    return m ? memoryStates(m) : [];
  });
  snapshotGauge(registry, HOST_METRICS.memoryUtilization, () => {
    const m = memory();
    return m && m.total > 0
      ? memoryStates(m).map(([labels, value]): Sample => [labels, value / m.total])
      : [];
  });
  snapshotGauge(registry, HOST_METRICS.memoryLimit, () => {
    const m = memory();
    return m ? [[{}, m.total]] : [];
  });
  snapshotGauge(registry, HOST_METRICS.memoryAvailable, () => {
    const m = memory();
    return m ? [[{}, m.available]] : [];
  });
  snapshotGauge(registry, HOST_METRICS.pagingUsage, () => {
    const m = memory();
    return m
      ? [
          [{ system_paging_state: 'used' }, m.swapTotal - m.swapFree],
          [{ system_paging_state: 'free' }, m.swapFree],
        ]
      : [];
  });
  snapshotGauge(registry, HOST_METRICS.pagingUtilization, () => {
    const m = memory();
    return m && m.swapTotal > 0
      ? [
          [{ system_paging_state: 'used' }, (m.swapTotal - m.swapFree) / m.swapTotal],
          [{ system_paging_state: 'free' }, m.swapFree / m.swapTotal],
        ]
      : [];
  });
}

/**
 * Host CPU (from /proc/stat), load average and memory and swap (systeminformation's `mem()`,
 * which reads /proc/meminfo without spawning anything). Its `currentLoad()` is not used: it runs
 * `cat /proc/stat` through a shell with execSync, blocking the event loop.
 */
export function createHostCpuMemoryCollector(registry: Registry): Collector {
  let snapshot: HostSnapshot | undefined;
  registerCpuFamilies(registry, () => snapshot);
  registerMemoryFamilies(registry, () => snapshot);

  return {
    name: 'host',
    async collect(signal) {
      systemInformation ??= import('systeminformation');
      const [statText, si] = await Promise.all([
        readFile('/proc/stat', { encoding: 'utf8', signal }),
        systemInformation,
      ]);
      const mem = await si.mem();
      if (!mem.total) throw new Error('could not read /proc/meminfo');
      const cpu = parseProcStat(statText);
      const load = os.loadavg() as [number, number, number];
      snapshot = {
        cpu,
        utilization: snapshot ? cpuUtilization(snapshot.cpu.total, cpu.total) : undefined,
        load,
        memory: {
          total: mem.total,
          available: mem.available,
          free: mem.free,
          buffers: mem.buffers,
          cached: mem.cached,
          swapTotal: mem.swaptotal,
          swapFree: mem.swapfree,
        },
      };
    },
  };
}
