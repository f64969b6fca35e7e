import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Registry } from 'prom-client';
import type { Collector } from './scheduler.js';
import { type Sample, snapshotCounter, snapshotGauge } from './snapshot-metric.js';

export const SYSTEM_CPU_TIME_METRIC = 'system_cpu_time_seconds_total';
export const SYSTEM_CPU_UTILIZATION_METRIC = 'system_cpu_utilization_ratio';
export const SYSTEM_CPU_LOGICAL_COUNT_METRIC = 'system_cpu_logical_count';
export const SYSTEM_CPU_LOAD_AVERAGE_METRICS = Object.freeze({
  '1m': 'system_cpu_load_average_1m',
  '5m': 'system_cpu_load_average_5m',
  '15m': 'system_cpu_load_average_15m',
});
export const SYSTEM_MEMORY_USAGE_METRIC = 'system_memory_usage_bytes';
export const SYSTEM_MEMORY_UTILIZATION_METRIC = 'system_memory_utilization_ratio';
export const SYSTEM_MEMORY_LIMIT_METRIC = 'system_memory_limit_bytes';
export const SYSTEM_MEMORY_AVAILABLE_METRIC = 'system_memory_linux_available_bytes';
export const SYSTEM_PAGING_USAGE_METRIC = 'system_paging_usage_bytes';
export const SYSTEM_PAGING_UTILIZATION_METRIC = 'system_paging_utilization_ratio';

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

/**
 * Host CPU (from /proc/stat), load average and memory and swap (systeminformation's `mem()`,
 * which reads /proc/meminfo without spawning anything). Its `currentLoad()` is not used: it runs
 * `cat /proc/stat` through a shell with execSync, blocking the event loop.
 */
export function createHostCpuMemoryCollector(registry: Registry): Collector {
  let snapshot: HostSnapshot | undefined;

  snapshotCounter(
    registry,
    {
      name: SYSTEM_CPU_TIME_METRIC,
      help: 'Seconds all logical CPUs of the host spent in each mode, summed over CPUs (/proc/stat).',
      labelNames: ['cpu_mode'],
    },
    () => CPU_MODES.map((mode): Sample => [{ cpu_mode: mode }, (snapshot?.cpu.total[mode] ?? NaN) / USER_HZ]),
  );
  snapshotGauge(
    registry,
    {
      name: SYSTEM_CPU_UTILIZATION_METRIC,
      help: "Share of the host's CPU time spent in each mode over the last collection interval, all CPUs together (0-1; busy = 1 - idle).",
      labelNames: ['cpu_mode'],
    },
    () => {
      const shares = snapshot?.utilization;
      return shares ? CPU_MODES.map((mode): Sample => [{ cpu_mode: mode }, shares[mode]]) : [];
    },
  );
  snapshotGauge(registry, { name: SYSTEM_CPU_LOGICAL_COUNT_METRIC, help: 'Logical CPUs of the host.' }, () =>
    snapshot ? [[{}, snapshot.cpu.logicalCpus]] : [],
  );
  (['1m', '5m', '15m'] as const).forEach((window, i) => {
    snapshotGauge(
      registry,
      {
        name: SYSTEM_CPU_LOAD_AVERAGE_METRICS[window],
        help: `Host load average over ${window.replace('m', ' minute(s)')}: runnable and uninterruptible tasks (/proc/loadavg). Compare with ${SYSTEM_CPU_LOGICAL_COUNT_METRIC}.`,
      },
      () => (snapshot ? [[{}, snapshot.load[i]!]] : []),
    );
  });

  const memoryStates = (m: MemorySnapshot): Sample[] => [
    [{ system_memory_state: 'used' }, m.total - m.available],
    [{ system_memory_state: 'free' }, m.free],
    [{ system_memory_state: 'cached' }, m.cached],
    [{ system_memory_state: 'buffers' }, m.buffers],
  ];
  snapshotGauge(
    registry,
    {
      name: SYSTEM_MEMORY_USAGE_METRIC,
      help: 'Host memory by state. used = MemTotal - MemAvailable; the states overlap, so do not sum them.',
      labelNames: ['system_memory_state'],
    },
    () => (snapshot ? memoryStates(snapshot.memory) : []),
  );
  snapshotGauge(
    registry,
    {
      name: SYSTEM_MEMORY_UTILIZATION_METRIC,
      help: `Host memory by state as a share of ${SYSTEM_MEMORY_LIMIT_METRIC} (0-1).`,
      labelNames: ['system_memory_state'],
    },
    () => {
      const m = snapshot?.memory;
      return m && m.total > 0
        ? memoryStates(m).map(([labels, value]): Sample => [labels, value / m.total])
        : [];
    },
  );
  snapshotGauge(
    registry,
    { name: SYSTEM_MEMORY_LIMIT_METRIC, help: 'Total usable host memory (MemTotal).' },
    () => (snapshot ? [[{}, snapshot.memory.total]] : []),
  );
  snapshotGauge(
    registry,
    {
      name: SYSTEM_MEMORY_AVAILABLE_METRIC,
      help: "The kernel's estimate of memory available to start new applications without swapping (MemAvailable).",
    },
    () => (snapshot ? [[{}, snapshot.memory.available]] : []),
  );
  snapshotGauge(
    registry,
    {
      name: SYSTEM_PAGING_USAGE_METRIC,
      help: 'Swap space by state, all swap devices together.',
      labelNames: ['system_paging_state'],
    },
    () => {
      const m = snapshot?.memory;
      return m
        ? [
            [{ system_paging_state: 'used' }, m.swapTotal - m.swapFree],
            [{ system_paging_state: 'free' }, m.swapFree],
          ]
        : [];
    },
  );
  snapshotGauge(
    registry,
    {
      name: SYSTEM_PAGING_UTILIZATION_METRIC,
      help: 'Swap space by state as a share of all swap (0-1); absent when the host has no swap.',
      labelNames: ['system_paging_state'],
    },
    () => {
      const m = snapshot?.memory;
      return m && m.swapTotal > 0
        ? [
            [{ system_paging_state: 'used' }, (m.swapTotal - m.swapFree) / m.swapTotal],
            [{ system_paging_state: 'free' }, m.swapFree / m.swapTotal],
          ]
        : [];
    },
  );

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
