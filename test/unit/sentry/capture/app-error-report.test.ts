import { describe, expect, it } from 'vitest';
import { appErrorReport, messageShape } from '../../../../src/sentry/capture/app-error-report.js';

describe('appErrorReport', () => {
  it('builds an exception event grouped by component, type and the failing frame', () => {
    const report = appErrorReport({
      message: 'no balance for jane@example.com',
      errorType: 'LookupError',
      component: 'accounts',
      level: 'warning',
      stack:
        'Traceback (most recent call last):\n  File "/app/a.py", line 3, in run\n  File "/app/b.py", line 9, in find\nLookupError: x',
      context: { attempt: 1, password: 'p' },
      traceId: 'a'.repeat(32),
      requestId: 'r-9',
      timestamp: 1_700_000_000_123,
    });
    expect(report).toMatchObject({
      kind: 'app_error',
      level: 'warning',
      message: 'LookupError: no balance for [Filtered]',
      fingerprint: ['app-error', 'accounts', 'LookupError', '/app/b.py:find'],
      tags: { kind: 'app_error', component: 'accounts', error_type: 'LookupError' },
      exception: [{ type: 'LookupError', value: 'no balance for [Filtered]' }],
      extra: { attempt: 1, password: '[Filtered]' },
      contexts: { sidecar: { source: 'ingest', request_id: 'r-9', trace_id: 'a'.repeat(32) } },
      timestamp: 1_700_000_000.123,
    });
    expect(report.exception?.at(-1)?.frames?.map((f) => f.function)).toEqual(['run', 'find']);
  });

  it('falls back for missing or odd fields and keeps unparsed stacks as scrubbed text', () => {
    const report = appErrorReport({
      message: 'boom 42 at 0xdeadbeef',
      errorType: '  ',
      level: 'critical' as never,
      // A Ruby backtrace: a format the sidecar does not read (Java and Go stacks it does).
      stack: "RuntimeError: token=abc\napp/models/foo.rb:10:in `bar'",
      traceId: 'not-a-trace',
    });
    expect(report.level).toBe('error');
    expect(report.fingerprint).toEqual(['app-error', 'app', 'Error', 'boom <n> at <hex>']);
    expect(report.extra?.stack).toContain('token=[Filtered]');
    expect(report.contexts?.sidecar).toEqual({ source: 'ingest' });
  });
});

describe('messageShape', () => {
  it('folds numbers, hex ids and quoted values', () => {
    expect(messageShape('user 123 "x" not in deadbeef01 after 5 tries')).toBe(
      'user <n> <s> not in <hex> after <n> tries',
    );
  });
});

describe('a structured exception chain', () => {
  it('keeps causes first, the frames with their source lines, and scrubs values, lines and variables', () => {
    const report = appErrorReport({
      message: 'payment failed for jane@example.com',
      errorType: 'PaymentError',
      requestId: 'req-7',
      traceId: 'b'.repeat(32),
      spanId: 'c'.repeat(16),
      exception: [
        { type: 'ConnectionError', value: 'refused', module: 'builtins' },
        {
          type: 'PaymentError',
          value: 'payment failed for jane@example.com',
          module: 'app.payments',
          stacktrace: {
            frames: [
              { filename: 'fastapi/routing.py', function: 'run', lineno: 10, in_app: false },
              {
                filename: 'app/payments.py',
                abs_path: '/srv/app/payments.py',
                function: 'charge',
                module: 'app.payments',
                lineno: 42,
                colno: 9,
                in_app: true,
                context_line: '    raise PaymentError(f"payment failed for {email}")',
                pre_context: ['def charge(email, iban):'],
                post_context: [],
                vars: {
                  email: "'jane@example.com'",
                  iban: "'DE89370400440532013000'",
                  password: "'hunter2'",
                  amount: '12',
                },
              },
            ],
          },
        },
      ],
    });
    expect(report.exception?.map((e) => e.type)).toEqual(['ConnectionError', 'PaymentError']);
    const raised = report.exception!.at(-1)!;
    expect(raised.value).not.toContain('jane@example.com');
    const frame = raised.frames!.at(-1)!;
    expect(frame).toMatchObject({
      function: 'charge',
      lineno: 42,
      colno: 9,
      in_app: true,
      module: 'app.payments',
    });
    expect(frame.context_line).toContain('raise PaymentError');
    expect(JSON.stringify(frame.vars)).not.toMatch(/jane@example\.com|DE89370400440532013000|hunter2/);
    expect(frame.vars).toMatchObject({ amount: '12' });
    // Grouped by the raising frame, which the chain names, as for a parsed stack.
    expect(report.fingerprint).toEqual(['app-error', 'app', 'PaymentError', 'app/payments.py:charge']);
    expect(report.contexts?.sidecar).toMatchObject({
      request_id: 'req-7',
      trace_id: 'b'.repeat(32),
      span_id: 'c'.repeat(16),
    });
  });
});
