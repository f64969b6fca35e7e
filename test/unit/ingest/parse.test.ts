import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../src/ingest/errors.js';
import { MAX_DEPTH, mediaTypeOf, nestsDeeperThan, parseBody } from '../../../src/ingest/parse.js';
import { contentEncodingOf } from '../../../src/ingest/read-body.js';

const parse = (text: string | Buffer, media: 'json' | 'ndjson' = 'json', max = 1000) =>
  parseBody(Buffer.isBuffer(text) ? text : Buffer.from(text), media, max);

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as IngestError).code;
  }
  return undefined;
}

describe('media types and encodings', () => {
  it.each([
    ['application/json', 'json'],
    ['Application/JSON; charset=utf-8', 'json'],
    ['application/json; charset="UTF-8"', 'json'],
    ['application/x-ndjson', 'ndjson'],
    ['application/jsonl', 'ndjson'],
    ['application/json; charset=latin1', undefined],
    ['text/plain', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, media) => {
    expect(mediaTypeOf(header)).toBe(media);
  });

  it('takes gzip and identity only', () => {
    expect(contentEncodingOf(undefined)).toBe('identity');
    expect(contentEncodingOf('GZIP')).toBe('gzip');
    expect(contentEncodingOf('x-gzip')).toBe('gzip');
    expect(() => contentEncodingOf('br')).toThrow(IngestError);
  });
});

describe('body forms', () => {
  it('reads one event, an array and the events wrapper', () => {
    expect(parse('{"type":"a"}').items).toEqual([{ type: 'a' }]);
    expect(parse('[{"type":"a"},{"type":"b"}]').items).toHaveLength(2);
    expect(parse('{"events":[{"type":"a"}]}').items).toEqual([{ type: 'a' }]);
    // An event that happens to have an `events` field is still one event.
    expect(parse('{"type":"a","events":[]}').items).toEqual([{ type: 'a', events: [] }]);
  });

  it('skips a byte-order mark and blank NDJSON lines', () => {
    expect(parse(Buffer.from('\ufeff[{"type":"a"}]')).items).toHaveLength(1);
    const ndjson = parse('{"type":"a"}\n\n  \r\n{"type":"b"}\r\n', 'ndjson');
    expect(ndjson.items).toEqual([{ type: 'a' }, { type: 'b' }]);
    expect(ndjson.lineErrors.size).toBe(0);
  });

  it('counts events against the limit', () => {
    expect(code(() => parse('[{},{},{}]', 'json', 2))).toBe('too_many_events');
    expect(code(() => parse('{}\n{}\n{}', 'ndjson', 2))).toBe('too_many_events');
    expect(code(() => parse('[]'))).toBe('empty_batch');
  });

  it('refuses deep nesting before parsing, ignoring brackets inside strings', () => {
    expect(nestsDeeperThan('['.repeat(MAX_DEPTH + 1), MAX_DEPTH)).toBe(true);
    expect(nestsDeeperThan('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH), MAX_DEPTH)).toBe(false);
    expect(nestsDeeperThan(`["${'['.repeat(50)}\\"${'{'.repeat(50)}"]`, MAX_DEPTH)).toBe(false);
    expect(code(() => parse('['.repeat(1e5) + ']'.repeat(1e5)))).toBe('too_deep');
  });

  it('refuses __proto__ keys however they are spelled, but not the word in a value', () => {
    expect(code(() => parse('{"type":"a","__proto__":{}}'))).toBe('forbidden_key');
    expect(code(() => parse('[{"type":"a","c":{"\\u005f_proto__":1}}]'))).toBe('forbidden_key');
    expect(parse('{"type":"error","message":"__proto__ was touched"}').items).toHaveLength(1);
  });

  it('refuses invalid UTF-8 and never quotes the input in a JSON error', () => {
    expect(code(() => parse(Buffer.from([0x5b, 0xff, 0x5d])))).toBe('invalid_utf8');
    try {
      parse('{"secret-value": ');
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });
});
