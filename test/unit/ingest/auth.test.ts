import { describe, expect, it } from 'vitest';
import { createIngestAuth, isLoopback } from '../../../src/ingest/auth.js';
import { DedupeWindow } from '../../../src/ingest/dedupe.js';

describe('ingest auth', () => {
  it('recognises loopback peers in the forms Node reports', () => {
    for (const address of ['127.0.0.1', '127.0.0.2', '127.255.0.9', '::1', '::ffff:127.0.0.1']) {
      expect(isLoopback(address), address).toBe(true);
    }
    for (const address of [
      '192.0.2.2',
      '10.0.0.1',
      '::ffff:10.0.0.1',
      'fd00::2',
      '::',
      '127.example',
      undefined,
    ]) {
      expect(isLoopback(address), String(address)).toBe(false);
    }
  });

  it('without a token serves loopback only, whatever Authorization says', () => {
    const auth = createIngestAuth(undefined);
    expect(auth.mode).toBe('loopback');
    expect(auth.check(undefined, '127.0.0.1')).toBeUndefined();
    expect(auth.check('Bearer anything', '10.0.0.1')).toBe('forbidden');
  });

  it('with a token requires exactly that bearer token, from any peer', () => {
    const auth = createIngestAuth('s3cret-token-0123456789');
    expect(auth.mode).toBe('token');
    expect(auth.check('Bearer s3cret-token-0123456789', '10.0.0.1')).toBeUndefined();
    expect(auth.check('bearer   s3cret-token-0123456789 ', '10.0.0.1')).toBeUndefined();
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer s3cret',
      'Bearer s3cret-token-0123456789 extra',
      's3cret-token-0123456789',
    ]) {
      expect(auth.check(header, '127.0.0.1'), String(header)).toBe('unauthorized');
    }
  });
});

describe('deduplication window', () => {
  it('forgets the oldest id first and stays bounded', () => {
    const window = new DedupeWindow(2);
    window.remember('a');
    window.remember('b');
    window.remember('a');
    window.remember('c');
    expect([window.has('a'), window.has('b'), window.has('c')]).toEqual([false, true, true]);
    expect(window.size).toBe(2);
  });

  it('remembers nothing with capacity 0', () => {
    const window = new DedupeWindow(0);
    window.remember('a');
    expect(window.has('a')).toBe(false);
  });
});
