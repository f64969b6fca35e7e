/**
 * OpenTelemetry names as Prometheus names, by the OpenTelemetry "Prometheus and OpenMetrics
 * compatibility" specification (underscore escaping with suffixes): characters Prometheus does
 * not allow become `_`, runs of `_` become one, the unit becomes a suffix (`s` → `_seconds`,
 * `By` → `_bytes`, `1` on a gauge → `_ratio`, `{request}` → nothing, `By/s` →
 * `_bytes_per_second`) unless the name already ends in it, and monotonic sums end in `_total`.
 * So `db.client.operation.duration` in `s` is `db_client_operation_duration_seconds`, the name
 * the ingest API's `db.query` event records.
 */

const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** The denominator of `x/y` units. */
const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** Prometheus's metric-name charset, `_` for the rest, one `_` for a run, no `_` at the ends. */
function clean(text: string, allowColon: boolean): string {
  const invalid = allowColon ? /[^a-zA-Z0-9_:]/g : /[^a-zA-Z0-9_]/g;
  return text
    .replace(invalid, '_')
    .replace(/__+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** The unit's words: `s` → `seconds`, `By/s` → `bytes_per_second`, annotations dropped. */
export function unitSuffix(unit: string, kind: 'counter' | 'gauge' | 'histogram' | 'summary'): string {
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '') return '';
  if (bare === '1') return kind === 'gauge' ? 'ratio' : '';
  const [numerator = '', denominator] = bare.split('/', 2);
  const main = clean(UNITS[numerator] ?? numerator, false);
  if (denominator === undefined || denominator === '') return main;
  const per = clean(PER_UNITS[denominator] ?? UNITS[denominator] ?? denominator, false);
  return main === '' ? `per_${per}` : `${main}_per_${per}`;
}

/** The Prometheus family name of an OpenTelemetry metric; '' when nothing usable is left. */
export function metricName(
  name: string,
  unit: string,
  kind: 'counter' | 'gauge' | 'histogram' | 'summary',
): string {
  let out = clean(name, true);
  if (out === '') return '';
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (kind === 'counter') out = out.replace(/_total$/, '');
  const suffix = unitSuffix(unit, kind);
  if (suffix !== '' && !out.endsWith(`_${suffix}`) && out !== suffix) out += `_${suffix}`;
  if (kind === 'counter') out += '_total';
  return out;
}

/**
 * The Prometheus label name of an attribute key: invalid characters as `_`, a leading digit
 * prefixed `key_`, and `__` (reserved for Prometheus) prefixed `key`.
 */
export function labelName(key: string): string {
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out === '') return '';
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  else if (out.startsWith('__')) out = `key${out}`;
  return out;
}
