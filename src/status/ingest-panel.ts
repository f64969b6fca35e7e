import type { IngestStatus } from '../ingest/create-ingest.js';
import { INGEST_SELF_METRICS } from '../ingest/self-metrics.js';
import type { CounterRates } from './counter-rates.js';
import { byLabel, type MetricReader } from './metric-reader.js';

/**
 * The ingest API: events per second by type over about the last minute with their totals,
 * refusals by reason with the last few reasons, duplicates, and how much of each label budget
 * is used. Counts come from the registry /metrics renders.
 */
export async function ingestPanel(reader: MetricReader, rates: CounterRates, status: IngestStatus) {
  const events = await reader.read(INGEST_SELF_METRICS.events.name);
  const totals = new Map<string, number>();
  let duplicates = 0;
  for (const r of events) {
    const type = String(r.labels.type);
    totals.set(type, (totals.get(type) ?? 0) + r.value);
    if (r.labels.outcome === 'duplicate') duplicates += r.value;
  }
  const perSecond = rates.rates(totals);
  const byType = [...totals]
    .filter(([, total]) => total > 0)
    .map(([type, total]) => ({ type, total, per_second: round(perSecond.get(type) ?? null) }))
    .sort((a, b) => b.total - a.total);
  return {
    events: byType,
    duplicates,
    rejections: byLabel(await reader.read(INGEST_SELF_METRICS.rejections.name), 'reason'),
    recent_rejections: status.recent_rejections,
    label_budgets: status.label_budgets.filter((b) => b.used > 0),
  };
}

const round = (x: number | null) => (x === null ? null : Number(x.toFixed(3)));
