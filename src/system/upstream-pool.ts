import type http from 'node:http';
import type { Registry } from 'prom-client';
import { type Sample, snapshotGauge } from './snapshot-metric.js';
import { UPSTREAM_POOL_METRICS } from './upstream-pool-metrics.js';

function count(lists: NodeJS.ReadOnlyDict<readonly unknown[]>): number {
  let total = 0;
  for (const name in lists) total += lists[name]?.length ?? 0;
  return total;
}

/**
 * The keep-alive pool to the backend, read from the http.Agent at scrape time: a few array
 * lengths, no I/O, so it needs no background run. Requests waiting in the agent's queue are the
 * "request queue depth": they wait because all UPSTREAM_MAX_SOCKETS connections are busy.
 * WebSocket upgrades use their own connections and are not in the pool.
 */
export function registerUpstreamPoolMetrics(registry: Registry, agent: http.Agent, maxSockets: number): void {
  snapshotGauge(registry, UPSTREAM_POOL_METRICS.connections, (): Sample[] => [
    [{ http_connection_state: 'active' }, count(agent.sockets)],
    [{ http_connection_state: 'idle' }, count(agent.freeSockets)],
  ]);
  snapshotGauge(registry, UPSTREAM_POOL_METRICS.queuedRequests, () => [[{}, count(agent.requests)]]);
  snapshotGauge(registry, UPSTREAM_POOL_METRICS.maxConnections, () => [[{}, maxSockets]]);
}
