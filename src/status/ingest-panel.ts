import type { IngestStatus } from '../ingest/create-ingest.js';
import { INGEST_SELF_METRICS } from '../ingest/self-metrics.js';
import { OTLP_METRICS } from '../otlp/otlp-metrics.js';
import type { CounterRates } from './counter-rates.js';
import { byLabel, type MetricReader } from './metric-reader.js';

/**
 * The ingest API: events per second by type over about the last minute with their totals,
 * refusals by reason with the last few reasons, duplicates, and how much of each label budget
 * is used, and OTLP metrics in when it is on. Counts come from the registry /metrics renders.
 */
/** OTLP metrics in: data points per second, refusals by reason, series against their limit. */
async function otlpPart(reader: MetricReader, rates: CounterRates, series: { held: number; limit: number }) {
  const points = await reader.read(OTLP_METRICS.points.name);
  const total = (outcome: string) => points.find((r) => r.labels.outcome === outcome)?.value ?? 0;
  const accepted = total('accepted');
  const perSecond = rates.rates(new Map([['otlp', accepted + total('rejected')]])).get('otlp') ?? null;
  return {
    data_points_per_second: round(perSecond),
    accepted,
    rejected: byLabel(await reader.read(OTLP_METRICS.rejected.name), 'reason'),
    series: series.held,
    series_limit: series.limit,
  };
}

export async function ingestPanel(
  reader: MetricReader,
  rates: CounterRates,
  status: IngestStatus,
  otlp?: { series: () => { held: number; limit: number }; rates: CounterRates },
) {
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
    otlp: otlp === undefined ? null : await otlpPart(reader, otlp.rates, otlp.series()),
  };
}

const round = (x: number | null) => (x === null ? null : Number(x.toFixed(3)));
