import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { renderMetrics } from '../../../src/metrics/exposition.js';
import { LabeledCounter, LabeledGauge, LabeledHistogram } from '../../../src/metrics/labeled-metrics.js';

describe('labeled metrics', () => {
  it('render exactly like prom-client metrics in both formats', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const h = new LabeledHistogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['a', 'b'],
      buckets: [0.1, 1, 10],
      registry: ours,
    });
    const ph = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['a', 'b'],
      buckets: [0.1, 1, 10],
      registers: [theirs],
    });
    const c = new LabeledCounter({ name: 'c_total', help: 'c', labelNames: ['x'], registry: ours });
    const pc = new Counter({ name: 'c_total', help: 'c', labelNames: ['x'], registers: [theirs] });
    for (const [a, b, v] of [
      ['1', 'x', 0.05],
      ['1', 'x', 1],
      ['2', 'y', 50],
      ['1', 'x', 0.1],
    ] as const) {
      h.child([a, b]).observe(v);
      ph.observe({ a, b }, v);
    }
    c.child(['q"\\n']).inc(2);
    pc.inc({ x: 'q"\\n' }, 2);
    c.child(['zero']);
    pc.inc({ x: 'zero' }, 0);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      expect(await renderMetrics(ours, format)).toBe(await renderMetrics(theirs, format));
    }
  });

  it('render like prom-client across scrapes, with series added between them and in slices', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const h = new LabeledHistogram({
      name: 'route_seconds',
      help: 'r',
      labelNames: ['route'],
      buckets: [0.005, 0.5],
      registry: ours,
    });
    const ph = new Histogram({
      name: 'route_seconds',
      help: 'r',
      labelNames: ['route'],
      buckets: [0.005, 0.5],
      registers: [theirs],
    });
    const g = new LabeledGauge({ name: 'open', help: 'o', labelNames: ['kind'], registry: ours });
    const pg = new Gauge({ name: 'open', help: 'o', labelNames: ['kind'], registers: [theirs] });
    const observe = (route: string, v: number) => {
      h.child([route]).observe(v);
      ph.observe({ route }, v);
    };
    observe('/a\\b"c\nd', 0.001);
    g.child(['ws']).inc(3);
    pg.inc({ kind: 'ws' }, 3);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      expect(await renderMetrics(ours, format)).toBe(await renderMetrics(theirs, format));
    }
    // Label text is kept per series after the first scrape: later values and series must show.
    observe('/a\\b"c\nd', 1);
    g.child(['ws']).dec();
    pg.dec({ kind: 'ws' });
    // Enough series for several slices (1,000 samples each) within one family.
    for (let i = 0; i < 600; i++) observe(`/r/${i}`, i / 1000);
    for (const format of ['prometheus', 'openmetrics'] as const) {
      expect(await renderMetrics(ours, format)).toBe(await renderMetrics(theirs, format));
    }
  });

  it('looks children up once and resets like prom-client', () => {
    const registry = new Registry();
    const c = new LabeledCounter({ name: 'r_total', help: 'r', labelNames: ['x'], registry });
    expect(c.child(['a'])).toBe(c.child(['a']));
    expect(() => c.child(['a', 'b'])).toThrow(/expected 1 label values/);
    c.child(['a']).inc();
    registry.resetMetrics();
    expect(c.size).toBe(0);
  });

  it('removes the series with one label value, and renders like prom-client after remove()', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const h = new LabeledHistogram({
      name: 'q_seconds',
      help: 'q',
      labelNames: ['route', 'code'],
      buckets: [1],
      registry: ours,
    });
    const ph = new Histogram({
      name: 'q_seconds',
      help: 'q',
      labelNames: ['route', 'code'],
      buckets: [1],
      registers: [theirs],
    });
    for (const [route, code] of [
      ['/a', '200'],
      ['/a', '500'],
      ['/b', '200'],
    ] as const) {
      h.child([route, code]).observe(0.5);
      ph.observe({ route, code }, 0.5);
    }
    await renderMetrics(ours, 'prometheus'); // label text cached per series: removal must not leave it
    expect(h.removeWhere('route', '/a')).toBe(2);
    expect(h.removeWhere('nope', '/a')).toBe(0);
    ph.remove({ route: '/a', code: '200' });
    ph.remove({ route: '/a', code: '500' });
    expect(h.has(['/b', '200'])).toBe(true);
    expect(h.size).toBe(1);
    expect(await renderMetrics(ours, 'prometheus')).toBe(await renderMetrics(theirs, 'prometheus'));
  });

  it('merges the series with one label value into another, adding counts, sums and buckets', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const h = new LabeledHistogram({
      name: 'm_seconds',
      help: 'm',
      labelNames: ['route', 'code'],
      buckets: [1],
      registry: ours,
    });
    const c = new LabeledCounter({ name: 'm_total', help: 'm', labelNames: ['route'], registry: ours });
    const ph = new Histogram({
      name: 'm_seconds',
      help: 'm',
      labelNames: ['route', 'code'],
      buckets: [1],
      registers: [theirs],
    });
    const pc = new Counter({ name: 'm_total', help: 'm', labelNames: ['route'], registers: [theirs] });
    const observations = [
      ['/users/alice', '200', 0.5],
      ['/users/alice', '404', 2],
      ['/users/{param}', '200', 3],
      ['/users/me', '200', 0.1],
    ] as const;
    for (const [route, code, v] of observations) {
      h.child([route, code]).observe(v);
      c.child([route]).inc();
      const merged = route === '/users/alice' ? '/users/{param}' : route;
      ph.observe({ route: merged, code }, v);
      pc.inc({ route: merged });
    }
    expect(h.mergeWhere('route', '/users/alice', '/users/{param}')).toBe(2);
    expect(c.mergeWhere('route', '/users/alice', '/users/{param}')).toBe(1);
    expect(h.mergeWhere('nope', '/users/alice', '/x')).toBe(0);
    // The same series and values; a merged series comes where it was created.
    const lines = async (r: Registry) => (await renderMetrics(r, 'prometheus')).split('\n').sort();
    expect(await lines(ours)).toEqual(await lines(theirs));
  });
});
