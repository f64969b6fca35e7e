/**
 * Just enough PromQL to know which metric names and label names a query refers to: a tokenizer
 * and a walk over its tokens, no full grammar (promtool checks the syntax). Grafana's variables
 * and its `label_values()` are understood too, so dashboard queries go through the same check.
 */

export interface SelectorRef {
  readonly metric: string;
  /** Label names used in the selector's matchers. */
  readonly labels: readonly string[];
}

export interface GroupingRef {
  /** by, without, on, ignoring, group_left or group_right. */
  readonly clause: string;
  readonly labels: readonly string[];
  /** Metrics the labels must come from: the aggregation's argument, or the whole query for on/ignoring/group_*. */
  readonly scope: readonly string[];
}

export interface QueryRefs {
  readonly selectors: readonly SelectorRef[];
  readonly groupings: readonly GroupingRef[];
}

type TokenKind = 'ident' | 'number' | 'string' | 'punct' | 'op';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan', 'atan2']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);

/** Grafana's interval and range variables become a plain duration; `label_values(m, l)` a query using l on m. */
export function fromGrafana(query: string): string {
  const text = query.replace(/\$\{?__(rate_interval|interval|range|auto)(_ms|_s)?\}?/g, '5m').trim();
  const labelValues = /^label_values\(\s*(.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/s.exec(text);
  if (labelValues) return `count by (${labelValues[2]}) (${labelValues[1]})`;
  const labelOnly = /^label_values\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$/.exec(text);
  if (labelOnly) return `count by (${labelOnly[1]}) ({__name__=~".+"})`;
  return text;
}

const NUMBER =
  /^(?:0x[0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?:(?:ms|s|m|h|d|w|y)(?:\d+(?:ms|s|m|h|d|w|y))*)?/;
const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const OPS = ['=~', '!~', '!=', '==', '>=', '<=', '=', '>', '<', '+', '-', '*', '/', '%', '^', '@'];

export function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const rest = expr.slice(i);
    const number = NUMBER.exec(rest);
    if (number && /[\d.]/.test(c)) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    if ('(){}[],'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (op === undefined) throw new Error(`unexpected character ${JSON.stringify(c)} in ${expr}`);
    tokens.push({ kind: 'op', text: op });
    i += op.length;
  }
  return tokens;
}

function matchingBrackets(tokens: Token[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'punct') return;
    if (t.text === '(' || t.text === '{' || t.text === '[') stack.push(i);
    else if (t.text === ')' || t.text === '}' || t.text === ']') {
      const open = stack.pop();
      if (open === undefined) throw new Error('unbalanced brackets');
      pairs.set(open, i);
      pairs.set(i, open);
    }
  });
  if (stack.length > 0) throw new Error('unbalanced brackets');
  return pairs;
}

/** The metric names and label names a PromQL query (or a Grafana query) refers to. */
export function analyze(query: string): QueryRefs {
  const tokens = tokenize(fromGrafana(query));
  const pairs = matchingBrackets(tokens);
  const selectors: Array<SelectorRef & { at: number }> = [];
  const pending: Array<{ clause: string; labels: string[]; from: number; to: number }> = [];
  const is = (i: number, kind: TokenKind, text?: string) =>
    tokens[i]?.kind === kind && (text === undefined || tokens[i]!.text === text);

  const readMatchers = (open: number): { labels: string[]; name?: string } => {
    const close = pairs.get(open)!;
    const labels: string[] = [];
    let name: string | undefined;
    for (let j = open + 1; j < close; j++) {
      if (is(j, 'ident') && tokens[j + 1]?.kind === 'op' && MATCH_OPS.has(tokens[j + 1]!.text)) {
        const label = tokens[j]!.text;
        if (label === '__name__') {
          if (tokens[j + 1]!.text === '=' && is(j + 2, 'string')) name = tokens[j + 2]!.text;
        } else {
          labels.push(label);
        }
      }
    }
    return { labels, name };
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (is(i, 'punct', '[')) {
      i = pairs.get(i)!; // range or subquery: durations only
      continue;
    }
    if (is(i, 'punct', '{')) {
      // A selector without a metric name: {__name__="x", job="y"}.
      const { labels, name } = readMatchers(i);
      if (name !== undefined) selectors.push({ metric: name, labels, at: i });
      i = pairs.get(i)!;
      continue;
    }
    if (t.kind !== 'ident') continue;
    const word = t.text;
    if (GROUPING.has(word)) {
      if (!is(i + 1, 'punct', '(')) continue; // group_left without labels
      const close = pairs.get(i + 1)!;
      const labels = tokens
        .slice(i + 2, close)
        .filter((x) => x.kind === 'ident')
        .map((x) => x.text);
      let from = 0;
      let to = tokens.length - 1;
      if (word === 'by' || word === 'without') {
        if (is(i - 1, 'punct', ')')) {
          // sum (args) by (labels)
          from = pairs.get(i - 1)!;
          to = i - 1;
        } else if (is(close + 1, 'punct', '(')) {
          // sum by (labels) (args)
          from = close + 1;
          to = pairs.get(close + 1)!;
        }
      }
      pending.push({ clause: word, labels, from, to });
      i = close;
      continue;
    }
    if (KEYWORDS.has(word.toLowerCase())) continue;
    // A function, or an aggregation: sum(…), sum by (…) (…).
    if (is(i + 1, 'punct', '(') || is(i + 1, 'ident', 'by') || is(i + 1, 'ident', 'without')) continue;
    const labels = is(i + 1, 'punct', '{') ? readMatchers(i + 1).labels : [];
    selectors.push({ metric: word, labels, at: i });
    if (is(i + 1, 'punct', '{')) i = pairs.get(i + 1)!;
  }

  return {
    selectors: selectors.map(({ metric, labels }) => ({ metric, labels })),
    groupings: pending.map(({ clause, labels, from, to }) => ({
      clause,
      labels,
      scope: [...new Set(selectors.filter((s) => s.at >= from && s.at <= to).map((s) => s.metric))],
    })),
  };
}

export interface Problem {
  readonly where: string;
  readonly query: string;
  readonly message: string;
}

export interface CatalogCheck {
  /** Every series name the sidecar exports, with the label names it carries. */
  readonly series: ReadonlyMap<string, ReadonlySet<string>>;
  /** Names that are not the sidecar's but may be queried: `up`, `ALERTS`, recording-rule outputs… */
  readonly foreign: (name: string) => boolean;
  /** Labels every scraped series gets from Prometheus (job, instance). */
  readonly targetLabels: ReadonlySet<string>;
}

/** Problems of one query against the exported catalog: unknown metrics, and labels a metric does not carry. */
export function check(where: string, query: string, catalog: CatalogCheck): Problem[] {
  const problems: Problem[] = [];
  const refs = analyze(query);
  const has = (metric: string, label: string) =>
    catalog.targetLabels.has(label) || catalog.series.get(metric)?.has(label) === true;
  for (const s of refs.selectors) {
    if (catalog.foreign(s.metric)) continue;
    if (!catalog.series.has(s.metric)) {
      problems.push({ where, query, message: `metric ${s.metric} is not exported` });
      continue;
    }
    for (const label of s.labels) {
      if (!has(s.metric, label))
        problems.push({ where, query, message: `${s.metric} has no label ${label}` });
    }
  }
  for (const g of refs.groupings) {
    if (g.scope.length === 0 || g.scope.some((m) => catalog.foreign(m) || !catalog.series.has(m))) continue;
    for (const label of g.labels) {
      if (!g.scope.some((m) => has(m, label))) {
        problems.push({
          where,
          query,
          message: `${g.clause} (${label}): none of ${g.scope.join(', ')} has it`,
        });
      }
    }
  }
  return problems;
}
