import { cachedPersonalDataKind, LABEL_MAX_LENGTH } from '../ingest/label-safety.js';
import { PERSONAL_DATA_RULES } from '../ingest/personal-data.js';
import { labelName } from './names.js';
import type { AnyValue, KeyValue } from './otlp-types.js';
import { PointRefusal } from './refusal.js';

/**
 * Attributes as Prometheus labels. Values become strings as the compatibility specification
 * says (arrays and maps as JSON), then pass the ingest API's label guards: at most
 * LABEL_MAX_LENGTH characters and no personal data. A point with a value that fails is refused
 * with the attribute's key and the rule, never the value.
 */

/** Arrays and maps nest; past this depth a value is refused rather than walked. */
const MAX_VALUE_DEPTH = 8;

function plain(value: AnyValue | undefined, depth: number): unknown {
  if (value === undefined || value === null) return null;
  if (depth > MAX_VALUE_DEPTH) throw new PointRefusal('invalid_attribute', 'nests deeper than 8 levels');
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return Buffer.from(value.bytesValue).toString('base64');
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map((v) => plain(v, depth + 1));
  if (value.kvlistValue !== undefined) {
    const out: Record<string, unknown> = {};
    for (const kv of value.kvlistValue.values ?? []) out[kv.key ?? ''] = plain(kv.value, depth + 1);
    return out;
  }
  return null;
}

/** The attribute's value as a label value: strings as they are, the rest as JSON. */
function attributeText(value: AnyValue | undefined): string {
  const v = plain(value, 0);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

/** Label names by attribute key: a handful of keys repeat in every point. */
const NAMES = new Map<string, string>();
const NAMES_CACHED = 10_000;

function cachedLabelName(key: string): string {
  let name = NAMES.get(key);
  if (name === undefined) {
    name = labelName(key);
    if (NAMES.size >= NAMES_CACHED) NAMES.clear();
    NAMES.set(key, name);
  }
  return name;
}

function checked(key: string, text: string): string {
  if (text.length > LABEL_MAX_LENGTH)
    throw new PointRefusal(
      'label_too_long',
      `attribute ${key} is longer than ${LABEL_MAX_LENGTH} characters; long values are never labels`,
    );
  const kind = cachedPersonalDataKind(text);
  if (kind !== undefined)
    throw new PointRefusal('personal_data', `attribute ${key} ${PERSONAL_DATA_RULES[kind]}`);
  return text;
}

const byName = (a: readonly [string, string, string], b: readonly [string, string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/**
 * Labels from attributes, sorted by name. Keys that map to one label name are joined with `;`
 * in the order of their original keys, as the specification says. Throws a PointRefusal.
 */
export function labelsOf(attributes: readonly KeyValue[] | undefined): Array<[string, string]> {
  const found: Array<[string, string, string]> = [];
  for (const kv of attributes ?? []) {
    const key = kv.key ?? '';
    const name = cachedLabelName(key);
    if (name === '') continue;
    const value = kv.value?.stringValue;
    const text = value !== undefined ? value : attributeText(kv.value);
    found.push([name, key, checked(key, text)]);
  }
  found.sort(byName);
  const out: Array<[string, string]> = [];
  for (const [name, , text] of found) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === name) last[1] = `${last[1]};${text}`;
    else out.push([name, text]);
  }
  return out;
}
