import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METRIC_DECLARATIONS } from '../../src/metric-declarations.js';
import type { MetricDeclaration } from '../../src/metrics/declaration.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { metricsDocProblems } from '../helpers/metrics-doc.js';

const DOC = readFileSync('docs/METRICS.md', 'utf8');
/** prom-client's default process and Node.js families, which the doc describes but nobody declares. */
const RUNTIME = new Set(
  createRegistry()
    .getMetricsAsArray()
    .map((m) => m.name),
);

describe('the metric declarations', () => {
  it('name every family once', () => {
    const names = METRIC_DECLARATIONS.map((d) => d.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
    expect(names.filter((name) => RUNTIME.has(name))).toEqual([]);
  });

  it('follow the Prometheus naming rules: _total on counters only, the unit as the last word', () => {
    const problems = METRIC_DECLARATIONS.flatMap((d) => {
      const base = d.type === 'counter' ? d.name.replace(/_total$/, '') : d.name;
      const out: string[] = [];
      if ((d.type === 'counter') !== d.name.endsWith('_total')) out.push(`${d.name}: _total and ${d.type}`);
      const suffix = /_(seconds|bytes|ratio)$/.exec(base)?.[1];
      if (suffix !== d.unit)
        out.push(`${d.name}: unit ${d.unit ?? 'none'}, name ends in ${suffix ?? 'none'}`);
      if (!/^[a-z_][a-z0-9_]*$/.test(d.name)) out.push(`${d.name}: not a Prometheus name`);
      if (new Set(d.labelNames).size !== d.labelNames.length) out.push(`${d.name}: a label twice`);
      if (d.type === 'histogram' && d.buckets.some((b, i) => i > 0 && b <= d.buckets[i - 1]!)) {
        out.push(`${d.name}: buckets not strictly ascending`);
      }
      return out;
    });
    expect(problems).toEqual([]);
  });

  it('are frozen, so no recorder can change a name, a label or a bucket', () => {
    for (const d of METRIC_DECLARATIONS) {
      expect(Object.isFrozen(d), d.name).toBe(true);
      expect(Object.isFrozen(d.labelNames), d.name).toBe(true);
      if (d.type === 'histogram') expect(Object.isFrozen(d.buckets), d.name).toBe(true);
    }
  });
});

describe('docs/METRICS.md', () => {
  it('states every declared family with its type, unit, labels and buckets, and no other family', () => {
    expect(metricsDocProblems(DOC, METRIC_DECLARATIONS, RUNTIME)).toEqual([]);
  });
});

describe('the doc check itself', () => {
  const histogram = METRIC_DECLARATIONS.find((d) => d.name === 'http_server_request_duration_seconds')!;
  const check = (doc: string, declarations: readonly MetricDeclaration[] = METRIC_DECLARATIONS) =>
    metricsDocProblems(doc, declarations, RUNTIME);
  const replaced = (declaration: MetricDeclaration, change: Partial<MetricDeclaration>) =>
    METRIC_DECLARATIONS.map((d) => (d === declaration ? ({ ...d, ...change } as MetricDeclaration) : d));

  it('reports a declaration that changed its type, unit, labels or buckets', () => {
    expect(check(DOC, replaced(histogram, { type: 'gauge' }))).toEqual([
      expect.stringContaining('type is gauge, the doc says histogram'),
      expect.stringContaining('a gauge has no buckets'),
    ]);
    expect(check(DOC, replaced(histogram, { unit: undefined }))).toEqual([
      expect.stringContaining('unit is —, the doc says seconds'),
    ]);
    expect(check(DOC, replaced(histogram, { labelNames: ['http_route'] }))).toEqual([
      expect.stringContaining('labels are http_route, the doc says http_request_method, http_route'),
    ]);
    expect(check(DOC, replaced(histogram, { buckets: [0.005, 0.01] } as Partial<MetricDeclaration>))).toEqual(
      [expect.stringContaining('buckets are 0.005, 0.01, the doc says 0.005, 0.01, 0.025')],
    );
  });

  it('reports a declaration the doc leaves out, and a documented family nobody declares', () => {
    const extra: MetricDeclaration = {
      name: 'sidecar_new_total',
      type: 'counter',
      help: 'h',
      labelNames: [],
    };
    expect(check(DOC, [...METRIC_DECLARATIONS, extra])).toEqual([
      'sidecar_new_total: declared but not in docs/METRICS.md',
    ]);
    expect(check(DOC.replace('`sidecar_routes`', '`sidecar_routez`'))).toEqual([
      'sidecar_routes: declared but not in docs/METRICS.md',
      expect.stringContaining('sidecar_routez (docs/METRICS.md line'),
    ]);
  });

  it('reports a doc row whose labels or buckets changed, and a table of another shape', () => {
    expect(check(DOC.replace('`stream_type` (`sse`, `websocket`), ', ''))).toEqual([
      expect.stringContaining(
        'labels are http_route, stream_type, error_type, the doc says http_route, error_type',
      ),
    ]);
    expect(check(DOC.replace('7200, 14400', '7200, 14401'))).toEqual([
      expect.stringContaining('http_server_stream_duration_seconds'),
    ]);
    expect(
      check(DOC.replace('| Name | Type | Unit | Labels | Meaning |', '| Name | Type | Labels | Meaning |')),
    ).toEqual(expect.arrayContaining([expect.stringContaining("a metric table's header must be")]));
  });
});
