import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The monitoring assets that name metrics: Prometheus rules, Grafana dashboards, the monitoring guide. */

export const RULES_DIR = 'monitoring/prometheus-rules';
export const DASHBOARDS_DIR = 'monitoring/grafana/dashboards';
export const MONITORING_DOC = 'docs/MONITORING_OBSERVABILITY.md';

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export interface Query {
  /** Where the query is, for failure messages. */
  readonly where: string;
  readonly query: string;
}

export function ruleFiles(): Array<{ file: string; groups: RuleGroup[] }> {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => ({ file: f, groups: parse(readFileSync(path.join(RULES_DIR, f), 'utf8')).groups }));
}

export function rules(): Array<Rule & { file: string; group: string }> {
  return ruleFiles().flatMap(({ file, groups }) =>
    groups.flatMap((g) => g.rules.map((r) => ({ ...r, file, group: g.name }))),
  );
}

export function alertRules() {
  return rules().filter((r) => r.alert !== undefined);
}

/** Names recording rules produce: queries may use them, the sidecar does not export them. */
export function recordedNames(): Set<string> {
  return new Set(rules().flatMap((r) => (r.record ? [r.record] : [])));
}

export function ruleQueries(): Query[] {
  return rules().map((r) => ({
    where: `${r.file}: ${r.alert ? `alert ${r.alert} (${r.labels?.severity})` : `record ${r.record}`}`,
    query: r.expr,
  }));
}

export function dashboardFiles(): Array<{ file: string; dashboard: Record<string, unknown> }> {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, dashboard: JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, f), 'utf8')) }));
}

interface Panel {
  title?: string;
  type?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

export function dashboardPanels(dashboard: Record<string, unknown>): Panel[] {
  const out: Panel[] = [];
  const visit = (panels: Panel[] | undefined) => {
    for (const p of panels ?? []) {
      out.push(p);
      visit(p.panels);
    }
  };
  visit(dashboard.panels as Panel[]);
  return out;
}

/** Every panel target, annotation query and template-variable query of every dashboard. */
export function dashboardQueries(): Query[] {
  const queries: Query[] = [];
  for (const { file, dashboard } of dashboardFiles()) {
    for (const panel of dashboardPanels(dashboard)) {
      for (const t of panel.targets ?? []) {
        if (t.expr) queries.push({ where: `${file}: panel "${panel.title}"`, query: t.expr });
      }
    }
    const annotations = (dashboard.annotations as { list?: Array<{ name?: string; expr?: string }> })?.list;
    for (const a of annotations ?? []) {
      if (a.expr) queries.push({ where: `${file}: annotation "${a.name}"`, query: a.expr });
    }
    const variables = (dashboard.templating as { list?: Array<{ name: string; query?: unknown }> })?.list;
    for (const v of variables ?? []) {
      const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
      if (q) queries.push({ where: `${file}: variable $${v.name}`, query: q });
    }
  }
  return queries;
}

/** The ```promql blocks of the monitoring guide. */
export function docQueries(): Query[] {
  const text = readFileSync(MONITORING_DOC, 'utf8');
  return [...text.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => ({
    where: `${MONITORING_DOC}: promql block`,
    query: m[1]!.trim(),
  }));
}
