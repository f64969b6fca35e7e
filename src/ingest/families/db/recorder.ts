import { labeledCounter, labeledHistogram, promGauge } from '../../../metrics/create-metric.js';
import type { RecorderContext, RecorderMap } from '../recorder-context.js';
import { CounterSeries, HistogramSeries } from '../series.js';
import { DB_METRICS } from './metrics.js';

/** Pool snapshots arrive every few seconds, so the gauges are plain prom-client ones. */
export function createDbRecorders({
  registry,
  budgets,
}: RecorderContext): RecorderMap<'db.query' | 'db.pool'> {
  const duration = new HistogramSeries(labeledHistogram(registry, DB_METRICS.operationDuration));
  const rows = new HistogramSeries(labeledHistogram(registry, DB_METRICS.returnedRows));
  const connections = promGauge(registry, DB_METRICS.connectionCount);
  const max = promGauge(registry, DB_METRICS.connectionMax);
  const pending = promGauge(registry, DB_METRICS.connectionPending);
  const timeouts = new CounterSeries(labeledCounter(registry, DB_METRICS.connectionTimeouts));

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
