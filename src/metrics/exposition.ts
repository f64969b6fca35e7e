import type { Metric, MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/**
 * Renders a Registry in the Prometheus text format (0.0.4) or in OpenMetrics 1.0.
 *
 * prom-client can render either, but switching a Registry to OpenMetrics renames its counters
 * in place (it strips `_total` from the stored name), so a later Prometheus-format scrape would
 * export `foo` instead of `foo_total`. One sidecar answers both kinds of scraper, so it renders
 * from the registry's values itself and leaves the registry untouched.
 */

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = Object.freeze({
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
});

/** Picks OpenMetrics only when the scraper asks for it, as Prometheus does for exemplars. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  return accept?.includes('application/openmetrics-text') ? 'openmetrics' : 'prometheus';
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Record<string, string | number | undefined> | undefined): string {
  if (!labels) return '';
  let out = '';
  for (const name in labels) {
    const raw = labels[name];
    if (raw === undefined) continue;
    const value = typeof raw === 'number' ? formatNumber(raw) : raw;
    out += (out ? ',' : '') + name + '="' + escapeLabelValue(value) + '"';
  }
  return out ? '{' + out + '}' : '';
}

interface Exemplar {
  labelSet: Record<string, string>;
  value: number;
  timestamp: number;
}

type Sample = MetricValue<string> & { metricName?: string; exemplar?: Exemplar | null };

function renderFamily(metric: MetricObjectWithValues<MetricValue<string>>, format: ExpositionFormat): string {
  const openMetrics = format === 'openmetrics';
  const kind = String(metric.type);
  const isCounter = kind === 'counter';
  // OpenMetrics names a counter family without its `_total`; its samples keep the suffix.
  const family = openMetrics && isCounter ? metric.name.replace(/_total$/, '') : metric.name;
  const type = openMetrics && kind === 'untyped' ? 'unknown' : kind;
  const lines = [`# HELP ${family} ${escapeHelp(metric.help)}`, `# TYPE ${family} ${type}`];
  for (const sample of metric.values as Sample[]) {
    const name = sample.metricName ?? (openMetrics && isCounter ? family + '_total' : metric.name);
    let line = name + formatLabels(sample.labels) + ' ' + formatNumber(sample.value);
    const exemplar = sample.exemplar;
    if (openMetrics && exemplar?.labelSet && Object.keys(exemplar.labelSet).length > 0) {
      line +=
        ' # ' +
        formatLabels(exemplar.labelSet) +
        ' ' +
        formatNumber(exemplar.value) +
        ' ' +
        exemplar.timestamp;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/**
 * Samples rendered between two turns of the event loop. A scrape of 10,000 series takes ~25 ms of
 * CPU; in one piece it would hold every proxied request for that long.
 */
const SAMPLES_PER_SLICE = 1_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function renderMetrics(registry: Registry, format: ExpositionFormat): Promise<string> {
  const metrics = registry.getMetricsAsArray() as unknown as Metric[];
  const parts: string[] = [];
  let sinceYield = 0;
  for (const metric of metrics) {
    const family = await metric.get();
    parts.push(renderFamily(family, format));
    sinceYield += family.values.length;
    if (sinceYield >= SAMPLES_PER_SLICE) {
      sinceYield = 0;
      await nextTurn();
    }
  }
  const body = parts.join('\n');
  return format === 'openmetrics' ? body + '\n# EOF\n' : body + '\n';
}
