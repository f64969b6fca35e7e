import { describe, expect, it } from 'vitest';
import { FILTERED } from '../../../../src/sentry/scrub/scrub-text.js';
import { scrubValue } from '../../../../src/sentry/scrub/scrub-value.js';

describe('scrubValue', () => {
  it('filters by key at any depth and scrubs strings', () => {
    expect(
      scrubValue({
        user: { email: 'a@b.example', name: 'x' },
        items: [{ token: 't' }, 'jane@example.com'],
        n: 1,
      }),
    ).toEqual({ user: { email: FILTERED, name: 'x' }, items: [{ token: FILTERED }, FILTERED], n: 1 });
  });

  it('scrubs keys that are data themselves', () => {
    expect(scrubValue({ 'jane@example.com': 1 })).toEqual({ [FILTERED]: 1 });
  });

  it('bounds depth, breadth and string length', () => {
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(scrubValue(deep, { depth: 2, breadth: 10, stringLength: 10 })).toEqual({
      a: { b: '[Truncated]' },
    });
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(scrubValue(wide, { depth: 5, breadth: 5, stringLength: 10 }) as object)).toHaveLength(
      5,
    );
    expect(scrubValue('x'.repeat(50), { depth: 5, breadth: 5, stringLength: 10 })).toBe(`${'x'.repeat(10)}…`);
  });
});
