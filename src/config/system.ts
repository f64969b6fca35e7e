import type { EnvReader } from './env.js';

/** System-metric collection settings. Only the interval so far; the system subsystem extends this section. */
export interface SystemConfig {
  readonly intervalMs: number;
}

export function readSystemConfig(r: EnvReader): SystemConfig {
  return { intervalMs: r.int('SYSTEM_METRICS_INTERVAL_MS', 15_000, 1_000, 3_600_000) };
}
