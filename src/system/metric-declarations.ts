import type { CollectorName } from '../config/system.js';
import { listOf, type MetricDeclaration } from '../metrics/declaration.js';
import { BACKEND_PROCESS_METRICS } from './backend-process-metrics.js';
import { CERTIFICATE_METRICS } from './certificates-metrics.js';
import { CGROUP_METRICS } from './cgroup-metrics.js';
import { DISK_METRICS } from './disk-io-metrics.js';
import { FILESYSTEM_METRICS } from './filesystem-metrics.js';
import { HOST_METRICS } from './host-cpu-memory-metrics.js';
import { NETWORK_METRICS } from './network-metrics.js';
import { COLLECTOR_METRICS } from './scheduler-metrics.js';
import { UPSTREAM_POOL_METRICS } from './upstream-pool-metrics.js';

/** The families each collector exports, by the name that switches it off (SYSTEM_METRICS_<NAME>). */
export const SYSTEM_METRICS_BY_COLLECTOR: Readonly<
  Record<CollectorName, Readonly<Record<string, MetricDeclaration>>>
> = Object.freeze({
  host: HOST_METRICS,
  filesystem: FILESYSTEM_METRICS,
  disk: DISK_METRICS,
  network: NETWORK_METRICS,
  cgroup: CGROUP_METRICS,
  backend_process: BACKEND_PROCESS_METRICS,
  certificates: CERTIFICATE_METRICS,
  upstream_pool: UPSTREAM_POOL_METRICS,
});

/** Every system family, the collectors' own health last. */
export const SYSTEM_METRIC_DECLARATIONS = listOf(
  ...Object.values(SYSTEM_METRICS_BY_COLLECTOR),
  COLLECTOR_METRICS,
);
