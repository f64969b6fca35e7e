import { declareMetrics } from '../../../metrics/declaration.js';

const OPERATION = ['db_system_name', 'db_operation_name', 'db_collection_name'];
const POOL = 'db_client_connection_pool_name';

/** `db.query` and `db.pool`, as OpenTelemetry's database client conventions name them. */
export const DB_METRICS = declareMetrics({
  operationDuration: {
    name: 'db_client_operation_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of database client operations reported by the application (db.client.operation.duration).',
    labelNames: [...OPERATION, 'error_type'],
    // The advice of db.client.operation.duration: 1 ms to 10 s.
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
  },
  returnedRows: {
    name: 'db_client_response_returned_rows',
    type: 'histogram',
    help: 'Rows returned by database operations (db.client.response.returned_rows).',
    labelNames: OPERATION,
    // The advice of db.client.response.returned_rows.
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000],
  },
  connectionCount: {
    name: 'db_client_connection_count',
    type: 'gauge',
    help: 'Connections of a pool by state (idle, used), from the latest db.pool snapshot (db.client.connection.count).',
    labelNames: [POOL, 'db_client_connection_state'],
  },
  connectionMax: {
    name: 'db_client_connection_max',
    type: 'gauge',
    help: 'Largest number of open connections the pool allows (db.client.connection.max).',
    labelNames: [POOL],
  },
  connectionPending: {
    name: 'db_client_connection_pending_requests',
    type: 'gauge',
    help: 'Callers waiting for a connection, from the latest snapshot (db.client.connection.pending_requests).',
    labelNames: [POOL],
  },
  connectionTimeouts: {
    name: 'db_client_connection_timeouts_total',
    type: 'counter',
    help: 'Connection-acquire timeouts reported by db.pool snapshots (db.client.connection.timeouts).',
    labelNames: [POOL],
  },
});
