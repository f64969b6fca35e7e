import { declareMetrics } from '../metrics/declaration.js';

/**
 * Collector `cgroup` (cgroup.ts): the sidecar's own cgroup. OpenTelemetry's container
 * conventions where they exist, cAdvisor's names where they have none (limits, CFS throttling).
 */
export const CGROUP_METRICS = declareMetrics({
  memoryUsage: {
    name: 'container_memory_usage_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: "Memory charged to the sidecar's cgroup (container), page cache included (memory.current / memory.usage_in_bytes).",
    labelNames: [],
  },
  memoryWorkingSet: {
    name: 'container_memory_working_set_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Memory usage minus inactive page cache: what the kernel cannot easily reclaim, and what the OOM killer and the kubelet judge.',
    labelNames: [],
  },
  memoryLimit: {
    name: 'container_memory_limit_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: "The cgroup's memory limit (memory.max / memory.limit_in_bytes); absent when unlimited.",
    labelNames: [],
  },
  oomKills: {
    name: 'container_memory_oom_kills_total',
    type: 'counter',
    help: 'Processes of the cgroup killed by the OOM killer (memory.events / memory.oom_control oom_kill).',
    labelNames: [],
  },
  cpuTime: {
    name: 'container_cpu_time_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'CPU time consumed by the cgroup, all CPUs together.',
    labelNames: [],
  },
  cpuUsage: {
    name: 'container_cpu_usage',
    type: 'gauge',
    help: 'CPUs the cgroup used on average over the last collection interval (1 = one full CPU).',
    labelNames: [],
  },
  cpuLimit: {
    name: 'container_cpu_limit',
    type: 'gauge',
    help: 'CPUs the cgroup may use per period (CFS quota / period); absent without a quota.',
    labelNames: [],
  },
  cfsPeriods: {
    name: 'container_cpu_cfs_periods_total',
    type: 'counter',
    help: 'CFS enforcement periods that elapsed while the cgroup was runnable.',
    labelNames: [],
  },
  cfsThrottledPeriods: {
    name: 'container_cpu_cfs_throttled_periods_total',
    type: 'counter',
    help: 'CFS periods in which the cgroup used up its quota and was throttled.',
    labelNames: [],
  },
  cfsThrottledTime: {
    name: 'container_cpu_cfs_throttled_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'Total time the cgroup was throttled for exceeding its CPU quota.',
    labelNames: [],
  },
});
