import { describe, expect, it } from 'vitest';
import { parseStack } from '../../../../src/sentry/capture/stack-frames.js';

describe('parseStack', () => {
  it('reads Node.js stacks, outermost call first', () => {
    const frames = parseStack(
      'Error: x\n    at inner (/app/src/a.js:10:5)\n    at /app/src/b.js:20:7\n    at run (node:internal/x:1:1)',
    );
    expect(frames?.map((f) => [f.function, f.lineno, f.in_app])).toEqual([
      ['run', 1, false],
      ['?', 20, true],
      ['inner', 10, true],
    ]);
  });

  it('marks library frames as not in the app and returns nothing for unknown formats', () => {
    expect(parseStack('  File "/usr/lib/python3/site-packages/x.py", line 1, in f')?.[0]?.in_app).toBe(false);
    expect(parseStack('goroutine 1 [running]:')).toBeUndefined();
  });
});
