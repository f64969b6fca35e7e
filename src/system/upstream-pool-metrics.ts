import { declareMetrics } from '../metrics/declaration.js';

/** Read from the proxy's keep-alive agent at scrape time by upstream-pool.ts. */
export const UPSTREAM_POOL_METRICS = declareMetrics({
  connections: {
    name: 'sidecar_upstream_pool_connections',
    type: 'gauge',
    help: 'Open connections from the sidecar to the backend: active (carrying a request) or idle (kept alive for reuse).',
    labelNames: ['http_connection_state'],
  },
  queuedRequests: {
    name: 'sidecar_upstream_pool_queued_requests',
    type: 'gauge',
    help: 'Requests waiting for a connection to the backend because the pool is at UPSTREAM_MAX_SOCKETS (the request queue depth).',
    labelNames: [],
  },
  maxConnections: {
    name: 'sidecar_upstream_pool_max_connections',
    type: 'gauge',
    help: 'The pool size UPSTREAM_MAX_SOCKETS; active / max near 1 means requests are about to queue.',
    labelNames: [],
  },
});
