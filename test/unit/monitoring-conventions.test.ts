import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COLLECTOR_NAMES } from '../../src/config/system.js';
import {
  alertRules,
  dashboardFiles,
  dashboardPanels,
  MONITORING_DOC,
  RULES_DIR,
  ruleFiles,
} from '../helpers/monitoring-assets.js';

/**
 * The conventions the monitoring assets promise and no tool checks: every alert has a severity,
 * a summary, a description, a runbook section and promtool tests of both outcomes; dashboards use
 * the provisioned datasource and the job/instance variables; every secret Alertmanager reads has a
 * placeholder; .env.example lists every variable. (promtool and amtool themselves run in
 * scripts/validate-monitoring.sh; metric names are checked against a running sidecar in
 * test/integration/monitoring-assets.test.ts.)
 */

const SEVERITIES = ['critical', 'warning', 'info'];
const RUNBOOK_BASE =
  'https://github.com/example/observability-sidecar/blob/main/docs/MONITORING_OBSERVABILITY.md#';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

interface PromtoolTest {
  name: string;
  alert_rule_test?: Array<{
    eval_time: string;
    alertname: string;
    exp_alerts?: Array<{ exp_labels?: Record<string, string> }>;
  }>;
}

function promtoolTests(): Array<{ file: string; rule_files: string[]; tests: PromtoolTest[] }> {
  const dir = path.join(RULES_DIR, 'tests');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => ({ file: f, ...parse(readFileSync(path.join(dir, f), 'utf8')) }));
}

describe('alert rules', () => {
  const alerts = alertRules();
  const doc = readFileSync(MONITORING_DOC, 'utf8');
  const anchors = new Set([...doc.matchAll(/^#{2,4} (.+)$/gm)].map((m) => anchor(m[1]!)));

  it('exist at every severity', () => {
    expect(new Set(alerts.map((a) => a.labels?.severity))).toEqual(new Set(SEVERITIES));
  });

  it.each(alerts.map((a) => [`${a.alert} (${a.labels?.severity})`, a] as const))(
    '%s has a severity matching its group, a summary, a description and a runbook section',
    (_name, a) => {
      expect(SEVERITIES).toContain(a.labels?.severity);
      expect(a.group).toBe(`observability-sidecar.${a.labels?.severity}`);
      expect(a.annotations?.summary?.length).toBeGreaterThan(10);
      expect(a.annotations?.description?.length).toBeGreaterThan(30);
      expect(a.annotations?.runbook_url).toBe(RUNBOOK_BASE + a.alert!.toLowerCase());
      expect(anchors.has(a.alert!.toLowerCase()), `no "### ${a.alert}" section in ${MONITORING_DOC}`).toBe(
        true,
      );
    },
  );

  it('fire and stay quiet in promtool tests, each severity of each alert', () => {
    const tests = promtoolTests();
    for (const t of tests) {
      for (const f of t.rule_files) expect(existsSync(path.join(RULES_DIR, 'tests', f)), f).toBe(true);
    }
    const cases = tests.flatMap((t) => t.tests.flatMap((g) => g.alert_rule_test ?? []));
    const missing: string[] = [];
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      const fires = mine.some((c) =>
        c.exp_alerts?.some((e) => e.exp_labels?.severity === a.labels?.severity),
      );
      const quiet = mine.some((c) => (c.exp_alerts ?? []).length === 0);
      if (!fires) missing.push(`${a.alert} (${a.labels?.severity}) never expected to fire`);
      if (!quiet) missing.push(`${a.alert} never expected to stay quiet`);
    }
    expect(missing).toEqual([]);
  });

  it('have unique names per severity', () => {
    const keys = alerts.map((a) => `${a.alert}/${a.labels?.severity}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('are all loaded by the compose Prometheus, and the tests are not', () => {
    const config = parse(readFileSync('monitoring/prometheus/prometheus.yml', 'utf8'));
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).toContain('./monitoring/prometheus-rules:/etc/prometheus/rules:ro');
    expect(ruleFiles().map((f) => f.file)).toEqual(['alerts.yml', 'recording.yml']);
  });
});

describe('Grafana', () => {
  const datasources = parse(
    readFileSync('monitoring/grafana/provisioning/datasources/prometheus.yml', 'utf8'),
  );
  const prometheus = datasources.datasources.find((d: { type: string }) => d.type === 'prometheus');

  it('provisions Prometheus with a fixed uid and a trace link on exemplars', () => {
    expect(prometheus.uid).toBe('prometheus');
    expect(prometheus.url).toBe('http://prometheus:9090');
    expect(prometheus.jsonData.exemplarTraceIdDestinations[0].name).toBe('trace_id');
  });

  it('has the three dashboards', () => {
    expect(dashboardFiles().map((d) => d.dashboard.title)).toEqual([
      'Application overview',
      'Business',
      'Infrastructure',
    ]);
  });

  it.each(dashboardFiles().map((d) => [d.file, d.dashboard] as const))(
    '%s uses the provisioned datasource, the job and instance variables and a valid layout',
    (_file, d) => {
      expect(d.schemaVersion).toBe(39);
      expect(d.uid).toMatch(/^sidecar-[a-z-]+$/);
      const variables = (d.templating as { list: Array<{ name: string }> }).list.map((v) => v.name);
      expect(variables.slice(0, 2)).toEqual(['job', 'instance']);
      const panels = dashboardPanels(d) as Array<Record<string, unknown>>;
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panels) {
        const grid = p.gridPos as { x: number; w: number; h: number };
        expect(grid.x + grid.w, String(p.title)).toBeLessThanOrEqual(24);
        if (p.type === 'row') continue;
        expect(p.title, 'panel title').toBeTruthy();
        expect(p.description, `description of ${p.title}`).toBeTruthy();
        expect(p.datasource).toEqual({ type: 'prometheus', uid: prometheus.uid });
        const targets = p.targets as Array<{ datasource: unknown; expr: string }>;
        expect(targets.length, String(p.title)).toBeGreaterThan(0);
        for (const t of targets) {
          expect(t.datasource).toEqual({ type: 'prometheus', uid: prometheus.uid });
          expect(t.expr, String(p.title)).toContain('$job');
        }
      }
    },
  );

  it('provisions the dashboards from the directory compose mounts', () => {
    const providers = parse(
      readFileSync('monitoring/grafana/provisioning/dashboards/dashboards.yml', 'utf8'),
    );
    expect(providers.providers[0].options.path).toBe('/var/lib/grafana/dashboards');
    expect(readFileSync('docker-compose.yml', 'utf8')).toContain(
      './monitoring/grafana/dashboards:/var/lib/grafana/dashboards:ro',
    );
  });
});

describe('Alertmanager', () => {
  const config = parse(readFileSync('monitoring/alertmanager/alertmanager.yml', 'utf8'));

  it('has a placeholder for every secret file it reads', () => {
    const files: string[] = [];
    const visit = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key.endsWith('_file') && typeof value === 'string') files.push(value);
          else visit(value);
        }
      }
    };
    visit(config);
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      expect(file.startsWith('/etc/alertmanager/secrets/'), file).toBe(true);
      expect(
        existsSync(path.join('monitoring/alertmanager/secrets.example', path.basename(file))),
        file,
      ).toBe(true);
    }
  });

  it('routes each severity to its receiver and has email, Slack, PagerDuty and webhook receivers', () => {
    const bySeverity = Object.fromEntries(
      config.route.routes.map((r: { matchers: string[]; receiver: string }) => [r.matchers[0], r.receiver]),
    );
    expect(bySeverity).toEqual({
      'severity="critical"': 'critical',
      'severity="warning"': 'warning',
      'severity="info"': 'info-digest',
    });
    const kinds = new Set(
      config.receivers.flatMap((r: Record<string, unknown>) =>
        Object.keys(r).filter((k) => k.endsWith('_configs')),
      ),
    );
    expect(kinds).toEqual(
      new Set(['pagerduty_configs', 'slack_configs', 'email_configs', 'webhook_configs']),
    );
  });
});

describe('.env.example', () => {
  const listed = new Set(
    [...readFileSync('.env.example', 'utf8').matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!),
  );

  it('lists every variable the sidecar reads', () => {
    const dir = 'src/config';
    const read = new Set<string>();
    for (const f of readdirSync(dir)) {
      // A name ending in `_` is a prefix (unknown-settings.ts), not a variable.
      for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/'([A-Z][A-Z0-9_]{1,}[A-Z0-9])'/g)) {
        read.add(m[1]!);
      }
    }
    for (const name of COLLECTOR_NAMES) read.add(`SYSTEM_METRICS_${name.toUpperCase()}`);
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((v) => !listed.has(v)).sort(), 'add them to .env.example').toEqual([]);
  });

  it('lists every variable docker-compose.yml substitutes', () => {
    const used = new Set(
      [...readFileSync('docker-compose.yml', 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!),
    );
    expect([...used].filter((v) => !listed.has(v)).sort(), 'add them to .env.example').toEqual([]);
  });
});
