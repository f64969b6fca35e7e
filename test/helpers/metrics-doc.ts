import type { MetricDeclaration } from '../../src/metrics/declaration.js';

/**
 * Reads the metric tables of docs/METRICS.md and compares them with the declarations. A metric
 * table has the columns `Name | Type | Unit | Labels | Meaning`; a row names one or more
 * families in backticks and shares its type, unit and labels between them. Labels are the
 * backticked names of the Labels cell outside parentheses (which hold values and remarks), in
 * declaration order, `—` for none; a histogram's Meaning says `Buckets: ` and every upper bound.
 */

export interface DocRow {
  readonly line: number;
  readonly names: readonly string[];
  readonly type: string;
  readonly unit: string | undefined;
  readonly labels: readonly string[];
  /** Undefined when the row states no `Buckets:` list; `null` when it states more than one. */
  readonly buckets: readonly number[] | null | undefined;
}

const HEADER = '| Name | Type | Unit | Labels | Meaning |';
const NONE = '—';
const NAME = /`([a-z_:][a-z0-9_:]*)`/g;

function withoutParentheses(text: string): string {
  let out = text;
  for (let before = ''; before !== out; ) {
    before = out;
    out = out.replace(/\([^()]*\)/g, '');
  }
  return out;
}

function bucketsOf(meaning: string): readonly number[] | null | undefined {
  const lists = [...meaning.matchAll(/Buckets: (\d[\d.]*(?:, \d[\d.]*)*)/g)];
  if (lists.length === 0) return undefined;
  if (lists.length > 1) return null;
  return lists[0]![1]!.split(', ').map(Number);
}

/** Every row of every metric table, and the problems of tables that do not have the agreed shape. */
export function parseMetricsDoc(doc: string): { rows: DocRow[]; problems: string[] } {
  const rows: DocRow[] = [];
  const problems: string[] = [];
  let inTable = false;
  doc.split('\n').forEach((text, i) => {
    const line = i + 1;
    if (!text.startsWith('|')) {
      inTable = false;
      return;
    }
    if (text.startsWith('| Name |')) {
      inTable = text === HEADER;
      if (!inTable) problems.push(`line ${line}: a metric table's header must be "${HEADER}"`);
      return;
    }
    if (!inTable || /^\|(?: ?-+ ?\|)+$/.test(text)) return;
    const cells = text.slice(2, -2).split(' | ');
    if (cells.length !== 5) {
      problems.push(`line ${line}: ${cells.length} cells, not 5 (a "|" inside a cell?)`);
      return;
    }
    const [name, type, unit, labels, meaning] = cells as [string, string, string, string, string];
    rows.push({
      line,
      names: [...name.matchAll(NAME)].map((m) => m[1]!),
      type,
      unit: unit === NONE ? undefined : unit,
      labels: labels === NONE ? [] : [...withoutParentheses(labels).matchAll(NAME)].map((m) => m[1]!),
      buckets: bucketsOf(meaning),
    });
  });
  return { rows, problems };
}

const list = (values: readonly unknown[]) => (values.length === 0 ? NONE : values.join(', '));

function rowProblems(d: MetricDeclaration, row: DocRow): string[] {
  const at = `${d.name} (docs/METRICS.md line ${row.line})`;
  const problems: string[] = [];
  if (row.type !== d.type) problems.push(`${at}: type is ${d.type}, the doc says ${row.type}`);
  if (row.unit !== d.unit)
    problems.push(`${at}: unit is ${d.unit ?? NONE}, the doc says ${row.unit ?? NONE}`);
  if (list(row.labels) !== list(d.labelNames)) {
    problems.push(`${at}: labels are ${list(d.labelNames)}, the doc says ${list(row.labels)}`);
  }
  if (d.type === 'histogram') {
    if (row.buckets === null) problems.push(`${at}: the doc states more than one "Buckets:" list`);
    else if (row.buckets === undefined) problems.push(`${at}: the doc states no "Buckets:" list`);
    else if (list(row.buckets) !== list(d.buckets)) {
      problems.push(`${at}: buckets are ${list(d.buckets)}, the doc says ${list(row.buckets)}`);
    }
  } else if (row.buckets !== undefined) {
    problems.push(`${at}: a ${d.type} has no buckets, the doc states some`);
  }
  return problems;
}

/**
 * Everything on which the doc and the declarations disagree, as sentences naming the family and
 * the doc line. `runtime` are prom-client's default families: the doc may list them, but they
 * are described, not declared, here.
 */
export function metricsDocProblems(
  doc: string,
  declarations: readonly MetricDeclaration[],
  runtime: ReadonlySet<string>,
): string[] {
  const { rows, problems } = parseMetricsDoc(doc);
  const byName = new Map<string, DocRow[]>();
  for (const row of rows) {
    if (row.names.length === 0) problems.push(`line ${row.line}: a row that names no metric`);
    for (const name of row.names) byName.set(name, [...(byName.get(name) ?? []), row]);
  }
  for (const d of declarations) {
    const found = byName.get(d.name) ?? [];
    if (found.length === 0) problems.push(`${d.name}: declared but not in docs/METRICS.md`);
    else if (found.length > 1) problems.push(`${d.name}: in docs/METRICS.md ${found.length} times`);
    else problems.push(...rowProblems(d, found[0]!));
  }
  const declared = new Set(declarations.map((d) => d.name));
  for (const [name, found] of byName) {
    if (!declared.has(name) && !runtime.has(name)) {
      problems.push(`${name} (docs/METRICS.md line ${found[0]!.line}): documented but not declared`);
    }
  }
  return problems;
}
