import type { Config } from '../config/config.js';
import { publicConfig } from '../config/public-config.js';
import type { CounterRates } from './counter-rates.js';

/**
 * The sidecar itself: version, uptime, its CPU (cores busy over about the last minute, from the
 * process's CPU time) and memory, and its configuration with secrets hidden.
 */
export function sidecarPanel(
  version: string,
  startedAt: number,
  config: Config | undefined,
  cpu: CounterRates,
  now = Date.now(),
) {
  const used = process.cpuUsage();
  const cores = cpu.rates(new Map([['cpu', (used.user + used.system) / 1e6]])).get('cpu') ?? null;
  const memory = process.memoryUsage();
  return {
    version,
    uptime_seconds: Math.round((now - startedAt) / 1000),
    cpu_cores: cores === null ? null : Number(cores.toFixed(4)),
    rss_bytes: memory.rss,
    heap_used_bytes: memory.heapUsed,
    config: config === undefined ? null : publicConfig(config),
  };
}
