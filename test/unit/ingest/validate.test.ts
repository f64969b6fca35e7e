import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../src/ingest/catalog.js';
import { createLoggingErrorSink } from '../../../src/ingest/error-sink.js';
import { EventValidator } from '../../../src/ingest/validate.js';

const validator = new EventValidator();

describe('event validation', () => {
  it('applies defaults and trims labels', () => {
    const result = validator.validate(
      { type: 'llm.request', provider: ' openai ', model: 'gpt-4o', duration_s: 1 },
      0,
    );
    expect(result).toEqual({
      ok: true,
      event: { type: 'llm.request', operation: 'chat', provider: 'openai', model: 'gpt-4o', duration_s: 1 },
    });
  });

  it('never echoes the offending value', () => {
    const result = validator.validate(
      { type: 'db.query', system: 'jane@example.com', operation: 'x', duration_s: 1 },
      3,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejection.reason).toBe(
        'events[3].system: looks like an email address; personal data is never a label',
      );
      expect(result.rejection.code).toBe('personal_data');
    }
  });

  it('names at most three problems and says how many more there are', () => {
    const result = validator.validate({ type: 'db.pool', a: 1, b: 2, c: 3, d: 4, used: 1, idle: 1 }, 0);
    expect(!result.ok && result.rejection.reason).toBe(
      'events[0].a: is not a field of db.pool; events[0].b: is not a field of db.pool; events[0].c: is not a field of db.pool; and 1 more',
    );
  });

  it('knows 14 event types', () => {
    expect(EVENT_TYPES).toHaveLength(14);
  });
});

describe('the logging error sink', () => {
  it('logs type, component and level, never message, stack or context', () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    );
    createLoggingErrorSink(logger).report({
      message: 'jane@example.com failed',
      errorType: 'ValueError',
      component: 'payments',
      level: 'error',
      stack: 'Traceback (most recent call last)',
      requestId: undefined,
      traceId: undefined,
      spanId: undefined,
      exception: undefined,
      context: { email: 'jane@example.com' },
      timestamp: undefined,
      eventId: undefined,
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      error_type: 'ValueError',
      component: 'payments',
      level: 'error',
    });
    expect(lines[0]).not.toContain('jane');
    expect(lines[0]).not.toContain('Traceback');
  });
});
