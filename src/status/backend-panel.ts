import { HTTP_METRICS } from '../http-metrics/metrics.js';
import type { UpstreamHealthState } from '../proxy/upstream-health.js';
import { BACKEND_PROCESS_METRICS } from '../system/backend-process-metrics.js';
import { UPSTREAM_POOL_METRICS } from '../system/upstream-pool-metrics.js';
import { byLabel, type MetricReader } from './metric-reader.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * The backend as the sidecar sees it: the last probe, the connection pool, the requests it did
 * not complete by error type, and its process's CPU and memory when a backend process is
 * configured (null otherwise, or while it is not found).
 */
export async function backendPanel(health: UpstreamHealthState, reader: MetricReader) {
  const pool = await reader.read(UPSTREAM_POOL_METRICS.connections.name);
  const state = (s: string) => pool.find((r) => r.labels.http_connection_state === s)?.value ?? null;
  const found = await reader.value(BACKEND_PROCESS_METRICS.found.name);
  return {
    up: health.up,
    last_probe_at: iso(health.lastCheckAt),
    last_ok_at: iso(health.lastOkAt),
    reason: health.reason ?? null,
    pool: {
      active: state('active'),
      idle: state('idle'),
      queued: await reader.value(UPSTREAM_POOL_METRICS.queuedRequests.name),
      max: await reader.value(UPSTREAM_POOL_METRICS.maxConnections.name),
    },
    upstream_errors: byLabel(await reader.read(HTTP_METRICS.upstreamErrors.name), 'error_type'),
    process:
      found === null
        ? null
        : {
            found: found === 1,
            count: await reader.value(BACKEND_PROCESS_METRICS.count.name),
            cpu_utilization: await reader.value(BACKEND_PROCESS_METRICS.cpuUtilization.name),
            memory_bytes: await reader.value(BACKEND_PROCESS_METRICS.memory.name),
          },
  };
}
