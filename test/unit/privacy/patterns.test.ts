import { describe, expect, it } from 'vitest';
import { personalDataKind } from '../../../src/ingest/personal-data.js';
import {
  EMAIL_IN_LABEL,
  EMAIL_IN_TEXT,
  holdsCardNumber,
  IBAN_IN_LABEL,
  IBAN_IN_TEXT,
  looksLikeIban,
} from '../../../src/privacy/index.js';
import { FILTERED, scrubText } from '../../../src/sentry/index.js';

describe('holdsCardNumber', () => {
  it.each([
    '4111111111111111',
    '4111 1111 1111 1111',
    '5500-0000-0000-0004',
    '4111 1111 1111 1111 22',
    '12-4111-1111-1111-1111',
  ])('finds a card number in %s', (run) => {
    expect(holdsCardNumber(run)).toBe(true);
  });

  it.each(['4111111111111112', '411111111111', '41111111111111110000', '1700000000001'])(
    'finds none in %s',
    (run) => {
      expect(holdsCardNumber(run)).toBe(false);
    },
  );
});

describe('text and label forms', () => {
  it('finds the e-mail address itself in text, any name@host.tld shape in a label', () => {
    expect('see /u/jane@example.com?x'.match(EMAIL_IN_TEXT)).toEqual(['jane@example.com']);
    expect(EMAIL_IN_LABEL.test('svc@host:8080/x.io')).toBe(true);
    expect('svc@host:8080/x.io'.match(EMAIL_IN_TEXT)).toBeNull();
  });

  it('finds an IBAN in text only as a word of its own, in a label anywhere', () => {
    expect('iban_DE89370400440532013000'.match(IBAN_IN_TEXT)).toBeNull();
    expect('iban_DE89370400440532013000'.match(IBAN_IN_LABEL)).toEqual(['DE89370400440532013000']);
    expect(looksLikeIban('DE89370400440532013001')).toBe(true);
    expect(looksLikeIban('de89370400440532013001')).toBe(false);
  });
});

describe('scrubbing and the label guard', () => {
  // Personal data written as a label value may be: no spaces.
  it.each([
    'jane.doe@example.com',
    '4111111111111111',
    '5500-0000-0000-0004',
    'DE89370400440532013000',
    'GB82WEST12345698765432',
    '+4915112345678',
    '203.0.113.9',
    '2001:db8::8a2e:370:7334',
  ])('%s is scrubbed from text and refused as a label', (value) => {
    const scrubbed = scrubText(`x ${value} y`);
    expect(scrubbed).toContain(FILTERED);
    expect(scrubbed).not.toContain(value);
    expect(personalDataKind(value)).toBeDefined();
  });

  it('names a card number inside a longer digit run as a card number', () => {
    expect(personalDataKind('4111-1111-1111-1111-22')).toBe('card_number');
  });
});
