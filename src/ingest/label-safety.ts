import * as z from 'zod';
import { PERSONAL_DATA_RULES, type PersonalDataKind, personalDataKind } from './personal-data.js';

/**
 * Everything that stands between a value an application sends and a Prometheus label: trimming,
 * a length limit, a charset, allowed values for enum fields, refusal of personal data, and a
 * budget of distinct values per free-form field.
 */

/** Longest label value accepted, after trimming. Model names run to about 60 characters. */
export const LABEL_MAX_LENGTH = 100;
/** Letters, digits and `_ . : / @ + -`: enough for `meta-llama/Llama-3.1-70B`, `ORA-17002`, `app.errors.Timeout`. */
export const LABEL_CHARSET = /^[A-Za-z0-9_.:/@+-]+$/;
export const LABEL_CHARSET_RULE = 'may contain only letters, digits and _ . : / @ + -';
/** The value a free-form field records once its budget of distinct values is spent (as OpenTelemetry does). */
export const OTHER_LABEL = '_OTHER';

/** Distinct values whose personal-data verdict is remembered: label values repeat all the time. */
const VERDICT_CACHE_SIZE = 10_000;
const verdicts = new Map<string, PersonalDataKind | null>();

/** The kind of personal data a label value appears to hold, remembered per distinct value. */
export function cachedPersonalDataKind(value: string): PersonalDataKind | undefined {
  let verdict = verdicts.get(value);
  if (verdict === undefined) {
    verdict = personalDataKind(value) ?? null;
    if (verdicts.size >= VERDICT_CACHE_SIZE) verdicts.clear();
    verdicts.set(value, verdict);
  }
  return verdict ?? undefined;
}

/**
 * A free-form label field: trimmed, 1 to LABEL_MAX_LENGTH characters of LABEL_CHARSET, and not
 * personal data. Its distinct values are limited later, by a LabelBudget, once the whole event
 * is valid.
 */
export function labelString(description: string) {
  return (
    z
      .string()
      .trim()
      // One problem per field is enough: an empty or overlong value need not also fail the charset.
      .min(1, { abort: true })
      .max(LABEL_MAX_LENGTH, { abort: true })
      .regex(LABEL_CHARSET, { error: LABEL_CHARSET_RULE, abort: true })
      .check((ctx) => {
        const kind = cachedPersonalDataKind(ctx.value);
        if (kind !== undefined) {
          ctx.issues.push({
            code: 'custom',
            message: PERSONAL_DATA_RULES[kind],
            input: ctx.value,
            params: { reason: 'personal_data' },
          });
        }
      })
      .describe(
        `${description} Becomes a label: ${LABEL_CHARSET_RULE}, at most ${LABEL_MAX_LENGTH} characters, no personal data.`,
      )
  );
}

/** An enum label field; the values are the only ones ever recorded, so their series can start at 0. */
export function labelEnum<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z.enum(values).describe(description);
}

export type BudgetOverflowSink = (type: string, field: string) => void;

/** One free-form field's budget: the first `limit` distinct values are kept, later ones become `_OTHER`. */
export class BudgetedField {
  private readonly admitted = new Set<string>();

  constructor(
    readonly type: string,
    readonly field: string,
    readonly limit: number,
    private readonly onOverflow: BudgetOverflowSink,
  ) {}

  get size(): number {
    return this.admitted.size;
  }

  admit(value: string): string {
    if (this.admitted.has(value)) return value;
    if (this.admitted.size >= this.limit) {
      this.onOverflow(this.type, this.field);
      return OTHER_LABEL;
    }
    this.admitted.add(value);
    return value;
  }
}

/** All budgets of one sidecar, created by the recorders for each (event type, field) they label. */
export class LabelBudgets {
  readonly fields: BudgetedField[] = [];

  constructor(
    private readonly defaultLimit: number,
    private readonly overrides: Readonly<Record<string, number>>,
    private readonly onOverflow: BudgetOverflowSink,
  ) {}

  field(type: string, field: string): BudgetedField {
    const budget = new BudgetedField(
      type,
      field,
      this.overrides[field] ?? this.defaultLimit,
      this.onOverflow,
    );
    this.fields.push(budget);
    return budget;
  }
}
