import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const RULES_DIR = 'monitoring/prometheus-rules';
const GENERATED = 'deploy/kubernetes/prometheusrule.yaml';

describe('deploy/kubernetes/prometheusrule.yaml', () => {
  it('is exactly what npm run k8s:rules makes of the Prometheus rule files', () => {
    const generated = execFileSync(process.execPath, ['scripts/k8s-rules.mjs', '--stdout'], {
      encoding: 'utf8',
    });
    expect(readFileSync(GENERATED, 'utf8'), 'run `npm run k8s:rules` and commit the result').toBe(generated);
  });

  it('carries every rule group of every rule file, unchanged', () => {
    const resource = parse(readFileSync(GENERATED, 'utf8'));
    expect(resource.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(resource.kind).toBe('PrometheusRule');
    const groups = readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.yml'))
      .sort()
      .flatMap((f) => parse(readFileSync(`${RULES_DIR}/${f}`, 'utf8')).groups);
    expect(groups.length).toBeGreaterThan(0);
    expect(resource.spec.groups).toEqual(groups);
  });
});
