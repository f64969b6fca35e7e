import type http from 'node:http';
import type { Registry } from 'prom-client';
import { type Sample, snapshotGauge } from './snapshot-metric.js';

export const UPSTREAM_POOL_CONNECTIONS_METRIC = 'sidecar_upstream_pool_connections';
export const UPSTREAM_POOL_QUEUED_REQUESTS_METRIC = 'sidecar_upstream_pool_queued_requests';
export const UPSTREAM_POOL_MAX_CONNECTIONS_METRIC = 'sidecar_upstream_pool_max_connections';

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
  snapshotGauge(
    registry,
    {
      name: UPSTREAM_POOL_CONNECTIONS_METRIC,
      help: 'Open connections from the sidecar to the backend: active (carrying a request) or idle (kept alive for reuse).',
      labelNames: ['http_connection_state'],
    },
    (): Sample[] => [
      [{ http_connection_state: 'active' }, count(agent.sockets)],
      [{ http_connection_state: 'idle' }, count(agent.freeSockets)],
    ],
  );
  snapshotGauge(
    registry,
    {
      name: UPSTREAM_POOL_QUEUED_REQUESTS_METRIC,
      help: 'Requests waiting for a connection to the backend because the pool is at UPSTREAM_MAX_SOCKETS (the request queue depth).',
    },
    () => [[{}, count(agent.requests)]],
  );
  snapshotGauge(
    registry,
    {
      name: UPSTREAM_POOL_MAX_CONNECTIONS_METRIC,
      help: 'The pool size UPSTREAM_MAX_SOCKETS; active / max near 1 means requests are about to queue.',
    },
    () => [[{}, maxSockets]],
  );
}
