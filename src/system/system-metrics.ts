import type http from 'node:http';
import type { Registry } from 'prom-client';
import type { SystemConfig } from '../config/system.js';
import type { Logger } from '../log/logger.js';
import { createBackendProcessCollector } from './backend-process.js';
import { createCertificatesCollector } from './certificates.js';
import { createCgroupCollector } from './cgroup.js';
import { createDiskIoCollector } from './disk-io.js';
import { createFilesystemCollector } from './filesystem.js';
import { createHostCpuMemoryCollector } from './host-cpu-memory.js';
import { createNetworkCollector } from './network.js';
import { type Collector, CollectorScheduler } from './scheduler.js';
import { registerUpstreamPoolMetrics } from './upstream-pool.js';

export interface SystemMetricsDeps {
  readonly config: SystemConfig;
  readonly registry: Registry;
  readonly logger: Logger;
  /** The proxy's keep-alive agent to the backend, and its size. */
  readonly upstreamAgent: http.Agent;
  readonly upstreamMaxSockets: number;
}

export interface SystemMetrics {
  /** True when at least one collector is switched on. */
  readonly enabled: boolean;
  /** Names of the background collectors that run (the `collector` label values). */
  readonly collectors: readonly string[];
  start(): void;
  stop(): void;
  /** One run of every background collector; resolves when each has finished or timed out. */
  runOnce(): Promise<void>;
}

/**
 * Builds the collectors that are switched on and registers their metrics. Collectors whose
 * subject is not configured (no BACKEND_* variable, no TLS_* list) are not built at all, so
 * none of their series appear.
 */
export function createSystemMetrics(deps: SystemMetricsDeps): SystemMetrics {
  const { config, registry, logger } = deps;
  const on = config.collectors;
  const collectors: Collector[] = [];
  if (on.host) collectors.push(createHostCpuMemoryCollector(registry));
  if (on.filesystem) collectors.push(createFilesystemCollector(registry));
  if (on.disk) collectors.push(createDiskIoCollector(registry));
  if (on.network) collectors.push(createNetworkCollector(registry));
  if (on.cgroup) collectors.push(createCgroupCollector(registry));
  if (on.backend_process && config.backendProcess) {
    collectors.push(
      createBackendProcessCollector(registry, config.backendProcess, { intervalMs: config.intervalMs }),
    );
  }
  if (on.certificates && (config.tlsCertFiles.length > 0 || config.tlsProbeTargets.length > 0)) {
    collectors.push(createCertificatesCollector(registry, config.tlsCertFiles, config.tlsProbeTargets));
  }
  if (on.upstream_pool) registerUpstreamPoolMetrics(registry, deps.upstreamAgent, deps.upstreamMaxSockets);

  const scheduler =
    collectors.length > 0
      ? new CollectorScheduler(
          collectors,
          { intervalMs: config.intervalMs, timeoutMs: config.timeoutMs },
          registry,
          logger,
        )
      : undefined;

  return {
    enabled: collectors.length > 0 || on.upstream_pool,
    collectors: collectors.map((c) => c.name),
    start: () => scheduler?.start(),
    stop: () => scheduler?.stop(),
    runOnce: async () => scheduler?.runOnce(),
  };
}
