import { Counter, Gauge, Histogram, Registry, register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { METRIC_DECLARATIONS } from '../../../src/metric-declarations.js';
import {
  labeledCounter,
  labeledGauge,
  labeledHistogram,
  promCounter,
  promGauge,
  promHistogram,
} from '../../../src/metrics/create-metric.js';
import { declareMetrics } from '../../../src/metrics/declaration.js';
import { renderMetrics } from '../../../src/metrics/exposition.js';

const DECLARED = declareMetrics({
  calls: { name: 't_calls_total', type: 'counter', help: 'Calls.', labelNames: ['a'] },
  open: { name: 't_open', type: 'gauge', help: 'Open.', labelNames: ['a'] },
  wait: {
    name: 't_wait_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Wait.',
    labelNames: ['a', 'b'],
    buckets: [0.1, 1, 10],
  },
});

/** The same families written out by hand with prom-client, as before declarations existed. */
function byHand(registry: Registry): void {
  const registers = [registry];
  new Counter({ name: 't_calls_total', help: 'Calls.', labelNames: ['a'], registers }).inc({ a: 'x' }, 2);
  new Gauge({ name: 't_open', help: 'Open.', labelNames: ['a'], registers }).set({ a: 'x' }, 3);
  new Histogram({
    name: 't_wait_seconds',
    help: 'Wait.',
    labelNames: ['a', 'b'],
    buckets: [0.1, 1, 10],
    registers,
  })
    .labels({ a: 'x', b: 'y' })
    .observe(0.5);
}

describe('metrics made from declarations', () => {
  it('render exactly as the same families written out by hand, prom-client or labeled', async () => {
    const expected = new Registry();
    byHand(expected);
    const prom = new Registry();
    promCounter(prom, DECLARED.calls).inc({ a: 'x' }, 2);
    promGauge(prom, DECLARED.open).set({ a: 'x' }, 3);
    promHistogram(prom, DECLARED.wait).labels({ a: 'x', b: 'y' }).observe(0.5);
    const labeled = new Registry();
    labeledCounter(labeled, DECLARED.calls).child(['x']).inc(2);
    labeledGauge(labeled, DECLARED.open).child(['x']).set(3);
    labeledHistogram(labeled, DECLARED.wait).child(['x', 'y']).observe(0.5);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const text = await renderMetrics(expected, format);
      expect(await renderMetrics(prom, format)).toBe(text);
      expect(await renderMetrics(labeled, format)).toBe(text);
    }
  });

  it('fill a family at scrape time through collect', async () => {
    const registry = new Registry();
    let open = 1;
    promGauge(registry, DECLARED.open, function () {
      this.set({ a: 'x' }, open);
    });
    open = 7;
    expect(await renderMetrics(registry, 'prometheus')).toContain('t_open{a="x"} 7');
  });

  it('are frozen: a declaration cannot be changed after the fact', () => {
    expect(() => {
      (DECLARED.wait.buckets as unknown as number[]).push(100);
    }).toThrow(TypeError);
    expect(() => {
      (DECLARED.calls as { name: string }).name = 'other_total';
    }).toThrow(TypeError);
  });

  it('register nothing on import: every declaration module loaded, the global registry is empty', () => {
    expect(METRIC_DECLARATIONS.length).toBeGreaterThan(100);
    expect(register.getMetricsAsArray()).toEqual([]);
  });
});
