import { CERTIFICATE_METRICS } from '../system/certificates-metrics.js';
import { CGROUP_METRICS } from '../system/cgroup-metrics.js';
import { HOST_METRICS } from '../system/host-cpu-memory-metrics.js';
import type { MetricReader } from './metric-reader.js';

/** As the CertificateExpiring warning (monitoring/prometheus-rules/alerts.yml). */
const EXPIRY_WARNING_DAYS = 30;
const DAY_S = 86_400;

async function certificates(reader: MetricReader, now: number) {
  const failed = (await reader.read(CERTIFICATE_METRICS.checkSuccess.name))
    .filter((r) => r.value === 0)
    .map((r) => ({ source: String(r.labels.source), check_failed: true }));
  const read = (await reader.read(CERTIFICATE_METRICS.notAfter.name))
    .map((r) => {
      const daysLeft = (r.value - now / 1000) / DAY_S;
      return {
        source: String(r.labels.source),
        subject_cn: String(r.labels.subject_cn),
        not_after: new Date(r.value * 1000).toISOString(),
        days_left: Math.floor(daysLeft),
        expiring_soon: daysLeft < EXPIRY_WARNING_DAYS,
      };
    })
    .sort((a, b) => a.days_left - b.days_left);
  return { expiring_first: read, failed_checks: failed };
}

/**
 * The machine: host CPU and memory, the container's limits and use (null where the cgroup sets
 * none or the collector is off), and the certificates watched, soonest expiry first.
 */
export async function systemPanel(reader: MetricReader, now = Date.now()) {
  const idle = await reader.value(HOST_METRICS.cpuUtilization.name, { cpu_mode: 'idle' });
  return {
    host: {
      cpu_busy: idle === null ? null : Number((1 - idle).toFixed(4)),
      cpus: await reader.value(HOST_METRICS.cpuLogicalCount.name),
      memory_used_bytes: await reader.value(HOST_METRICS.memoryUsage.name, { system_memory_state: 'used' }),
      memory_limit_bytes: await reader.value(HOST_METRICS.memoryLimit.name),
    },
    container: {
      cpu_usage: await reader.value(CGROUP_METRICS.cpuUsage.name),
      cpu_limit: await reader.value(CGROUP_METRICS.cpuLimit.name),
      memory_working_set_bytes: await reader.value(CGROUP_METRICS.memoryWorkingSet.name),
      memory_limit_bytes: await reader.value(CGROUP_METRICS.memoryLimit.name),
    },
    certificates: await certificates(reader, now),
  };
}
