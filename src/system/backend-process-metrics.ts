import { declareMetrics } from '../metrics/declaration.js';

/** Collector `backend_process` (backend-process.ts): the backend's process tree, from /proc. */
export const BACKEND_PROCESS_METRICS = declareMetrics({
  found: {
    name: 'sidecar_backend_process_found',
    type: 'gauge',
    help: 'Whether the backend process (BACKEND_PID, BACKEND_PID_FILE or BACKEND_PROCESS_MATCH) was found at the last collection.',
    labelNames: [],
  },
  count: {
    name: 'sidecar_backend_process_count',
    type: 'gauge',
    help: 'Processes counted as the backend: the matched process(es) and their descendants.',
    labelNames: [],
  },
  cpuUtilization: {
    name: 'sidecar_backend_process_cpu_utilization_ratio',
    type: 'gauge',
    unit: 'ratio',
    help: 'CPU used by the backend processes over the last interval, as a share of all CPUs available (0-1; one busy core of two is 0.5).',
    labelNames: [],
  },
  cpuTime: {
    name: 'sidecar_backend_process_cpu_time_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'CPU seconds the backend processes used while observed, user and system; rate() is the number of cores busy.',
    labelNames: [],
  },
  memory: {
    name: 'sidecar_backend_process_memory_usage_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Resident set size of the backend processes, summed (pages shared between forked workers count once per worker).',
    labelNames: [],
  },
  startTime: {
    name: 'sidecar_backend_process_start_time_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time the backend process started; a change means it restarted.',
    labelNames: [],
  },
});
