import { declareMetrics } from '../metrics/declaration.js';

const loadAverage = (minutes: 1 | 5 | 15) =>
  ({
    name: `system_cpu_load_average_${minutes}m`,
    type: 'gauge',
    help: `Host load average over ${minutes} minute(s): runnable and uninterruptible tasks (/proc/loadavg). Compare with system_cpu_logical_count.`,
    labelNames: [],
  }) as const;

/** Collector `host` (host-cpu-memory.ts): OpenTelemetry system conventions in Prometheus form. */
export const HOST_METRICS = declareMetrics({
  cpuTime: {
    name: 'system_cpu_time_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'Seconds all logical CPUs of the host spent in each mode, summed over CPUs (/proc/stat).',
    labelNames: ['cpu_mode'],
  },
  cpuUtilization: {
    name: 'system_cpu_utilization_ratio',
    type: 'gauge',
    unit: 'ratio',
    help: "Share of the host's CPU time spent in each mode over the last collection interval, all CPUs together (0-1; busy = 1 - idle).",
    labelNames: ['cpu_mode'],
  },
  cpuLogicalCount: {
    name: 'system_cpu_logical_count',
    type: 'gauge',
    help: 'Logical CPUs of the host.',
    labelNames: [],
  },
  loadAverage1m: loadAverage(1),
  loadAverage5m: loadAverage(5),
  loadAverage15m: loadAverage(15),
  memoryUsage: {
    name: 'system_memory_usage_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Host memory by state. used = MemTotal - MemAvailable; the states overlap, so do not sum them.',
    labelNames: ['system_memory_state'],
  },
  memoryUtilization: {
    name: 'system_memory_utilization_ratio',
    type: 'gauge',
    unit: 'ratio',
    help: 'Host memory by state as a share of system_memory_limit_bytes (0-1).',
    labelNames: ['system_memory_state'],
  },
  memoryLimit: {
    name: 'system_memory_limit_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Total usable host memory (MemTotal).',
    labelNames: [],
  },
  memoryAvailable: {
    name: 'system_memory_linux_available_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: "The kernel's estimate of memory available to start new applications without swapping (MemAvailable).",
    labelNames: [],
  },
  pagingUsage: {
    name: 'system_paging_usage_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Swap space by state, all swap devices together.',
    labelNames: ['system_paging_state'],
  },
  pagingUtilization: {
    name: 'system_paging_utilization_ratio',
    type: 'gauge',
    unit: 'ratio',
    help: 'Swap space by state as a share of all swap (0-1); absent when the host has no swap.',
    labelNames: ['system_paging_state'],
  },
});
