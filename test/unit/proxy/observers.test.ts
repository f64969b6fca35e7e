import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/logger.js';
import type { Exchange } from '../../../src/proxy/exchange.js';
import { type ExchangeObserver, ObserverHooks } from '../../../src/proxy/observers.js';
import type { ExchangeOutcome } from '../../../src/proxy/outcome.js';

const req = {} as IncomingMessage;
const ex = { requestId: 'r-1' } as Exchange;
const outcome: ExchangeOutcome = { route: '/r', status: 200, errorType: '', durationSeconds: 0.1 };

/** A real logger whose JSON lines the test reads. */
function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('debug', stream), lines };
}

describe('ObserverHooks', () => {
  it('calls each hook on every observer that has it, with its arguments and as a method', () => {
    const calls: string[] = [];
    const observer: ExchangeObserver & { name: string } = {
      name: 'a',
      forwarding(r, e) {
        calls.push(`forwarding ${this.name} ${r === req} ${e.requestId}`);
      },
      upstreamResponse(_r, _e, proxyRes) {
        calls.push(`upstreamResponse ${proxyRes === req}`);
      },
      finished(_r, _e, o) {
        calls.push(`finished ${o.status}`);
      },
    };
    const hooks = new ObserverHooks([observer, {}], captureLogs().logger);
    hooks.forwarding(req, ex);
    hooks.upstreamResponse(req, ex, req);
    hooks.finished(req, ex, outcome);
    expect(calls).toEqual(['forwarding a true r-1', 'upstreamResponse true', 'finished 200']);
    expect(hooks.exemplar(ex)).toBeUndefined();
  });

  it('logs an observer that throws and goes on with the next one', () => {
    const { logger, lines } = captureLogs();
    const reached: string[] = [];
    const failing: ExchangeObserver = {
      forwarding: () => {
        throw new Error('boom');
      },
      finished: () => {
        throw new Error('boom');
      },
      exemplar: () => {
        throw new Error('boom');
      },
    };
    const working: ExchangeObserver = {
      forwarding: () => reached.push('forwarding'),
      finished: () => reached.push('finished'),
      exemplar: () => ({ trace_id: 't' }),
    };
    const hooks = new ObserverHooks([failing, working], logger);
    hooks.forwarding(req, ex);
    hooks.finished(req, ex, outcome);
    expect(hooks.exemplar(ex)).toEqual({ trace_id: 't' });
    expect(reached).toEqual(['forwarding', 'finished']);
    const warnings = lines.filter((l) => l.msg === 'observer failed; the request goes on');
    expect(warnings.map((l) => l.hook)).toEqual(['forwarding', 'finished', 'exemplar']);
  });

  it('takes the first exemplar an observer has', () => {
    const hooks = new ObserverHooks(
      [
        { exemplar: () => undefined },
        { exemplar: () => ({ trace_id: 'first' }) },
        { exemplar: () => ({ trace_id: 'second' }) },
      ],
      captureLogs().logger,
    );
    expect(hooks.exemplar(ex)).toEqual({ trace_id: 'first' });
  });
});
