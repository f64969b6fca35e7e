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

describe('Java and Go stacks', () => {
  it('reads a Java stack, outermost call first, platform and framework frames not in the app', () => {
    const frames = parseStack(
      [
        'com.bank.LedgerException: refused',
        '\tat com.bank.Ledger.post(Ledger.java:42)',
        '\tat com.bank.TransferController.transfer(TransferController.java:17)',
        '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)',
      ].join('\n'),
    );
    expect(frames?.map((f) => [f.function, f.filename, f.lineno, f.in_app])).toEqual([
      ['org.springframework.web.servlet.FrameworkServlet.service', 'FrameworkServlet.java', 897, false],
      ['com.bank.TransferController.transfer', 'TransferController.java', 17, true],
      ['com.bank.Ledger.post', 'Ledger.java', 42, true],
    ]);
  });

  it('reads a Go panic, outermost call first, module cache frames not in the app', () => {
    const frames = parseStack(
      [
        'panic: ledger refused',
        '',
        'goroutine 1 [running]:',
        'main.postEntry(...)',
        '\t/app/ledger.go:42 +0x1d',
        'github.com/go-chi/chi/v5.(*Mux).ServeHTTP(0xc000120000, {0x7f, 0xc0}, 0xc000130000)',
        '\t/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.10/mux.go:90 +0x2f',
      ].join('\n'),
    );
    expect(frames?.map((f) => [f.function, f.filename, f.lineno, f.in_app])).toEqual([
      [
        'github.com/go-chi/chi/v5.(*Mux).ServeHTTP',
        '/root/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.10/mux.go',
        90,
        false,
      ],
      ['main.postEntry', '/app/ledger.go', 42, true],
    ]);
  });
});
