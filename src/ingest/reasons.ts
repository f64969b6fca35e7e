import type * as z from 'zod';
import type { EventRejectionReason } from './errors.js';

/**
 * Turns validation issues into the reasons a caller reads: the field and the rule, as in
 * `events[3].duration_s: must be a finite number ≥ 0`. Values are never echoed back.
 */

/** Field names that mean a caller is about to send personal data; refused with a pointed reason. */
const PERSONAL_FIELD_NAMES = new Set([
  'user',
  'user_id',
  'userid',
  'username',
  'user_name',
  'email',
  'e_mail',
  'phone',
  'ip',
  'ip_address',
  'client_ip',
  'remote_addr',
  'name',
  'full_name',
  'iban',
  'card',
  'card_number',
]);

const MAX_REASONS_PER_EVENT = 3;

type RawIssue = z.core.$ZodRawIssue;

function isInteger(issue: RawIssue): boolean {
  const schema = (issue as { schema?: { _zod?: { def?: { format?: string } } } }).schema;
  return schema?._zod?.def?.format === 'safeint';
}

function article(expected: string): string {
  if (expected === 'array' || expected === 'object' || expected === 'int') return `an ${expected}`;
  return `a ${expected}`;
}

/** The error map passed to every parse: messages in the API's own words. */
export function issueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (isInteger(issue)) return 'must be an integer';
      if (issue.expected === 'number') return 'must be a finite number';
      if (issue.expected === 'int') return 'must be an integer';
      if (issue.expected === 'record') return 'must be an object';
      return `must be ${article(issue.expected)}`;
    case 'too_small': {
      const op = issue.inclusive ? '≥' : '>';
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? 'must not be empty'
          : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} items`;
      return `must be ${isInteger(issue) ? 'an integer' : 'a finite number'} ${op} ${issue.minimum}`;
    }
    case 'too_big': {
      const op = issue.inclusive ? '≤' : '<';
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${isInteger(issue) ? 'an integer' : 'a finite number'} ${op} ${issue.maximum}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      if (issue.format === 'datetime') return 'must be Unix seconds or an RFC 3339 date-time with offset';
      return undefined;
    case 'invalid_union':
      return 'has an unsupported type';
    default:
      return undefined;
  }
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`;
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment as string];
  }
  return value;
}

function reasonCode(issue: z.core.$ZodIssue, input: unknown): EventRejectionReason {
  switch (issue.code) {
    case 'invalid_type':
      return valueAt(input, issue.path) === undefined ? 'missing_field' : 'invalid_type';
    case 'too_small':
    case 'too_big':
      return issue.origin === 'string' || issue.origin === 'array' ? 'invalid_length' : 'out_of_range';
    case 'invalid_value':
      return 'invalid_value';
    case 'invalid_format':
      return 'invalid_format';
    case 'invalid_union':
      return 'invalid_type';
    case 'unrecognized_keys':
      return issue.keys.some((key) => PERSONAL_FIELD_NAMES.has(key.toLowerCase()))
        ? 'personal_data'
        : 'unknown_field';
    case 'custom':
      return (issue.params as { reason?: EventRejectionReason } | undefined)?.reason ?? 'invalid_value';
    default:
      return 'invalid_value';
  }
}

export interface EventRejection {
  reason: string;
  code: EventRejectionReason;
}

/** One line naming up to three problems of one event; the code is that of the first, unless one is personal data. */
export function describeIssues(
  prefix: string,
  type: string,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): EventRejection {
  const parts: string[] = [];
  let total = 0;
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        total++;
        if (parts.length >= MAX_REASONS_PER_EVENT) continue;
        const rule = PERSONAL_FIELD_NAMES.has(key.toLowerCase())
          ? `is not accepted: ${type} events carry no personal data`
          : `is not a field of ${type}`;
        parts.push(`${formatPath(prefix, [...issue.path, key])}: ${rule}`);
      }
      continue;
    }
    total++;
    if (parts.length < MAX_REASONS_PER_EVENT)
      parts.push(`${formatPath(prefix, issue.path)}: ${issue.message}`);
  }
  if (total > parts.length) parts.push(`and ${total - parts.length} more`);
  let code = reasonCode(issues[0]!, input);
  for (let i = 1; i < issues.length && code !== 'personal_data'; i++) {
    if (reasonCode(issues[i]!, input) === 'personal_data') code = 'personal_data';
  }
  return { reason: parts.join('; '), code };
}
