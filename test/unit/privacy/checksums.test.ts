import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid } from '../../../src/privacy/checksums.js';

describe('checksums', () => {
  it('Luhn accepts card numbers and refuses a changed digit', () => {
    for (const card of ['4111111111111111', '5500005555555559', '378282246310005', '6011111111111117']) {
      expect(luhnValid(card)).toBe(true);
    }
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('mod 97 accepts IBANs, in either case, and refuses a changed digit or a wrong length', () => {
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('gb82west12345698765432')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    expect(ibanValid('DE8937040044')).toBe(false);
  });
});
