import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { MEMORY_TRIM_METRIC, MemoryTrim } from '../../src/system/memory-trim.js';
import { parseMetrics, valueOf } from '../helpers/prometheus-text.js';

/** A proxy port's two counters, set by the test. */
class Traffic {
  requests = 0;
  open = 0;
  accepted = () => this.requests;
  inFlight = () => this.open;
}

function setup(idleMs = 1000) {
  let now = 0;
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const traffic = new Traffic();
  const registry = new Registry();
  const trim = new MemoryTrim({
    idleMs,
    traffic,
    registry,
    logger: createLogger('debug', sink),
    now: () => now,
  });
  const at = (ms: number) => {
    now = ms;
    trim.check();
  };
  const trims = async () => {
    return valueOf(parseMetrics(await registry.metrics()), `${MEMORY_TRIM_METRIC}_count`);
  };
  return { traffic, trim, at, trims, lines };
}

describe('memory trim after an idle period', () => {
  it('trims once when the proxy port has been quiet for the idle time, not before', async () => {
    const { traffic, at, trims, lines } = setup(1000);
    traffic.requests = 5;
    at(100); // traffic seen: a quiet period starts here
    at(1099);
    expect(await trims()).toBe(0);
    at(1100);
    expect(await trims()).toBe(1);
    const line = lines.find((l) => l.msg === 'memory trimmed');
    expect(line).toMatchObject({ reason: 'idle' });
    expect(line!.heap_after_bytes as number).toBeLessThanOrEqual(line!.heap_before_bytes as number);
    // The same quiet period never trims twice.
    at(5000);
    at(60_000);
    expect(await trims()).toBe(1);
  });

  it('waits while a request is in flight, however long it runs', async () => {
    const { traffic, at, trims } = setup(1000);
    traffic.requests = 1;
    traffic.open = 1; // a stream that stays open
    for (let t = 0; t <= 10_000; t += 250) at(t);
    expect(await trims()).toBe(0);
    // Quiet from the last look that saw it open (10 s), to within one look.
    traffic.open = 0;
    at(10_250);
    at(10_999);
    expect(await trims()).toBe(0);
    at(11_000);
    expect(await trims()).toBe(1);
  });

  it('trims again only after traffic came back and stopped', async () => {
    const { traffic, at, trims } = setup(1000);
    traffic.requests = 1;
    at(0);
    at(1000);
    expect(await trims()).toBe(1);
    // Steady traffic: every look sees new requests, so no quiet period lasts.
    for (let t = 1250; t <= 5000; t += 250) {
      traffic.requests++;
      at(t);
    }
    expect(await trims()).toBe(1);
    at(6000);
    expect(await trims()).toBe(2);
  });

  it('does nothing without traffic after the start-up trim', async () => {
    const { at, trims } = setup(1000);
    for (let t = 0; t <= 10_000; t += 500) at(t);
    expect(await trims()).toBe(0);
  });

  it('is off with an idle time of 0', () => {
    const { trim } = setup(0);
    expect(trim.enabled).toBe(false);
    trim.start();
    trim.stop();
  });
});
