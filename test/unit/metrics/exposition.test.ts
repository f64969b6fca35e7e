import { Counter, Gauge, Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { negotiateFormat, renderMetrics } from '../../../src/metrics/exposition.js';
import { createRegistry } from '../../../src/metrics/registry.js';

describe('renderMetrics', () => {
  function registry() {
    const r = createRegistry();
    for (const m of r.getMetricsAsArray()) r.removeSingleMetric((m as unknown as { name: string }).name);
    return r;
  }

  it('renders counters, gauges and histograms in both formats, escaping label values', async () => {
    const r = registry();
    new Counter({ name: 'jobs_total', help: 'Jobs.\nSecond line', labelNames: ['kind'], registers: [r] }).inc(
      { kind: 'a"b\\c\nd' },
      2,
    );
    new Gauge({ name: 'temp_celsius', help: 'Temp.', registers: [r] }).set(-1.5);
    const h: Histogram<string> = new Histogram({
      name: 'lat_seconds',
      help: 'Lat.',
      buckets: [0.1, 1],
      labelNames: ['r'],
      registers: [r],
      enableExemplars: true,
    });
    h.observe({ labels: { r: '/x' }, value: 0.05, exemplarLabels: { trace_id: 'abc123' } });

    const text = await renderMetrics(r, 'prometheus');
    expect(text).toBe(
      [
        '# HELP jobs_total Jobs.\\nSecond line',
        '# TYPE jobs_total counter',
        'jobs_total{kind="a\\"b\\\\c\\nd"} 2',
        '# HELP temp_celsius Temp.',
        '# TYPE temp_celsius gauge',
        'temp_celsius -1.5',
        '# HELP lat_seconds Lat.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{le="0.1",r="/x"} 1',
        'lat_seconds_bucket{le="1",r="/x"} 1',
        'lat_seconds_bucket{le="+Inf",r="/x"} 1',
        'lat_seconds_sum{r="/x"} 0.05',
        'lat_seconds_count{r="/x"} 1',
        '',
      ].join('\n'),
    );

    const om = await renderMetrics(r, 'openmetrics');
    expect(om).toContain('# TYPE jobs counter\njobs_total{kind=');
    expect(om).toMatch(/lat_seconds_bucket\{le="0.1",r="\/x"\} 1 # \{trace_id="abc123"\} 0.05 \d+(\.\d+)?\n/);
    expect(om.endsWith('# EOF\n')).toBe(true);
    // rendering OpenMetrics leaves the registry as it was
    expect(await renderMetrics(r, 'prometheus')).toBe(text);
  });

  it('negotiates on the Accept header', () => {
    expect(negotiateFormat(undefined)).toBe('prometheus');
    expect(negotiateFormat('text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe('prometheus');
    expect(negotiateFormat('application/openmetrics-text;version=1.0.0,text/plain;q=0.5')).toBe(
      'openmetrics',
    );
  });
});
