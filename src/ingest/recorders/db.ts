import { Gauge } from 'prom-client';
import { DB_DURATION_BUCKETS, DB_ROWS_BUCKETS } from '../../metrics/buckets.js';
import { INGEST_METRICS } from '../metric-names.js';
import { CounterSeries, HistogramSeries, LabeledCounter, LabeledHistogram } from '../series.js';
import type { RecorderContext, RecorderMap } from './context.js';

const OPERATION_LABELS = ['db_system_name', 'db_operation_name', 'db_collection_name', 'error_type'];
const ROWS_LABELS = ['db_system_name', 'db_operation_name', 'db_collection_name'];
const POOL = 'db_client_connection_pool_name';

/** Pool snapshots arrive every few seconds, so the gauges are plain prom-client ones. */
export function createDbRecorders({
  registry,
  budgets,
}: RecorderContext): RecorderMap<'db.query' | 'db.pool'> {
  const duration = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.dbOperationDuration,
      help: 'Duration of database client operations reported by the application (db.client.operation.duration).',
      labelNames: OPERATION_LABELS,
      buckets: [...DB_DURATION_BUCKETS],
      registry,
    }),
  );
  const rows = new HistogramSeries(
    new LabeledHistogram({
      name: INGEST_METRICS.dbReturnedRows,
      help: 'Rows returned by database operations (db.client.response.returned_rows).',
      labelNames: ROWS_LABELS,
      buckets: [...DB_ROWS_BUCKETS],
      registry,
    }),
  );
  const connections = new Gauge({
    name: INGEST_METRICS.dbConnectionCount,
    help: 'Connections of a pool by state (idle, used), from the latest db.pool snapshot (db.client.connection.count).',
    labelNames: [POOL, 'db_client_connection_state'],
    registers: [registry],
  });
  const max = new Gauge({
    name: INGEST_METRICS.dbConnectionMax,
    help: 'Largest number of open connections the pool allows (db.client.connection.max).',
    labelNames: [POOL],
    registers: [registry],
  });
  const pending = new Gauge({
    name: INGEST_METRICS.dbConnectionPending,
    help: 'Callers waiting for a connection, from the latest snapshot (db.client.connection.pending_requests).',
    labelNames: [POOL],
    registers: [registry],
  });
  const timeouts = new CounterSeries(
    new LabeledCounter({
      name: INGEST_METRICS.dbConnectionTimeouts,
      help: 'Connection-acquire timeouts reported by db.pool snapshots (db.client.connection.timeouts).',
      labelNames: [POOL],
      registry,
    }),
  );

  const system = budgets.field('db.query', 'system');
  const operation = budgets.field('db.query', 'operation');
  const collection = budgets.field('db.query', 'collection');
  const errorType = budgets.field('db.query', 'error_type');
  const pool = budgets.field('db.pool', 'pool');

  return {
    'db.query'(e) {
      const s = system.admit(e.system);
      const o = operation.admit(e.operation);
      const c = e.collection === undefined ? '' : collection.admit(e.collection);
      const err = e.error_type === undefined ? '' : errorType.admit(e.error_type);
      duration.observe([s, o, c, err], e.duration_s);
      if (e.rows !== undefined) rows.observe([s, o, c], e.rows);
    },
    'db.pool'(e) {
      const p = pool.admit(e.pool);
      connections.set({ db_client_connection_pool_name: p, db_client_connection_state: 'used' }, e.used);
      connections.set({ db_client_connection_pool_name: p, db_client_connection_state: 'idle' }, e.idle);
      if (e.max !== undefined) max.set({ db_client_connection_pool_name: p }, e.max);
      if (e.pending !== undefined) pending.set({ db_client_connection_pool_name: p }, e.pending);
      timeouts.inc([p], e.timeouts ?? 0);
    },
  };
}
