import { describe, expect, it } from 'vitest';
import { BudgetedField, LabelBudgets, labelString, OTHER_LABEL } from '../../../src/ingest/label-safety.js';
import { issueMessage } from '../../../src/ingest/reasons.js';

describe('label fields', () => {
  const field = labelString('A test field.');

  it('trims and accepts the label charset', () => {
    expect(field.parse('  gpt-4o  ')).toBe('gpt-4o');
    expect(field.parse('meta-llama/Llama-3.1-70B:free@v2+x')).toBe('meta-llama/Llama-3.1-70B:free@v2+x');
  });

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['x'.repeat(101), 'must be at most 100 characters'],
    ['two words', 'may contain only letters, digits and _ . : / @ + -'],
    ['naïve', 'may contain only'],
    ['a"b', 'may contain only'],
    ['jane@example.com', 'looks like an email address'],
  ])('refuses %j with one clear issue', (value, message) => {
    const result = field.safeParse(value, { error: issueMessage });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]!.message).toContain(message);
  });
});

describe('label budgets', () => {
  it('keeps the first values and maps the rest to _OTHER, reporting each overflow', () => {
    const overflows: string[] = [];
    const budget = new BudgetedField('llm.request', 'model', 2, (type, f) => overflows.push(`${type}/${f}`));
    expect(['a', 'b', 'a', 'c', 'b', 'd'].map((v) => budget.admit(v))).toEqual([
      'a',
      'b',
      'a',
      OTHER_LABEL,
      'b',
      OTHER_LABEL,
    ]);
    expect(budget.size).toBe(2);
    expect(overflows).toEqual(['llm.request/model', 'llm.request/model']);
  });

  it('applies per-field overrides by field name', () => {
    const budgets = new LabelBudgets(100, { model: 3 }, () => {});
    expect(budgets.field('llm.request', 'model').limit).toBe(3);
    expect(budgets.field('llm.request', 'provider').limit).toBe(100);
    expect(budgets.fields.map((f) => f.field)).toEqual(['model', 'provider']);
  });
});
