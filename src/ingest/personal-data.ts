import { isIP } from 'node:net';
import {
  DIGIT_RUN,
  EMAIL_IN_LABEL,
  holdsCardNumber,
  IBAN_IN_LABEL,
  IPV4_IN_LABEL,
  ibanValid,
  PHONE_IN_LABEL,
} from '../privacy/index.js';

/**
 * Recognises values that look like personal data, so they are refused as label values: a label
 * value is stored in every sample of its series, copied to every Prometheus replica and kept
 * for the retention period, and it cannot be deleted on request.
 */

export type PersonalDataKind = 'email' | 'card_number' | 'iban' | 'id' | 'ip_address' | 'phone_number';

export const PERSONAL_DATA_RULES: Readonly<Record<PersonalDataKind, string>> = Object.freeze({
  email: 'looks like an email address; personal data is never a label',
  card_number: 'looks like a payment card number; personal data is never a label',
  iban: 'looks like an IBAN; personal data is never a label',
  id: 'looks like a user or record id (UUID, long hex or long number); ids are never labels',
  ip_address: 'looks like an IP address; personal data is never a label',
  phone_number: 'looks like a phone number; personal data is never a label',
});

/** Refused as labels only (each would make a series per user or record); Sentry keeps ids, to link events. */
const UUID_OR_HEX_ID =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-z])(?=[0-9a-f]*\d)[0-9a-f]{24,}(?![0-9a-z])/i;

/** 'card_number' for a digit run holding a card number, 'id' for any other run of 10+ digits. */
function longDigitRun(value: string): 'card_number' | 'id' | undefined {
  let found: 'id' | undefined;
  for (const match of value.matchAll(DIGIT_RUN)) {
    if (holdsCardNumber(match[0])) return 'card_number';
    if (match[0].replace(/[ -]/g, '').length >= 10) found = 'id';
  }
  return found;
}

function hasIban(value: string): boolean {
  for (const match of value.matchAll(IBAN_IN_LABEL)) {
    const compact = match[0].replace(/ /g, '');
    // The regex is greedy; an IBAN followed by more letters or digits is found by shortening.
    for (let end = compact.length; end >= 15; end--) {
      if (ibanValid(compact.slice(0, end))) return true;
    }
  }
  return false;
}

/**
 * The kind of personal data `value` appears to contain, or undefined. Cheap checks first: most
 * label values ("postgresql", "SELECT", "gpt-4o") hold few digits and no `@`.
 */
export function personalDataKind(value: string): PersonalDataKind | undefined {
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  if (value.includes('@') && EMAIL_IN_LABEL.test(value)) return 'email';
  if (digits >= 4 && (IPV4_IN_LABEL.test(value) || isIP(value) !== 0)) return 'ip_address';
  if (value.includes(':') && isIP(value) !== 0) return 'ip_address';
  if (digits >= 8 && PHONE_IN_LABEL.test(value)) return 'phone_number';
  if (digits >= 2 && value.length >= 15 && hasIban(value)) return 'iban';
  if (digits >= 10) {
    const run = longDigitRun(value);
    if (run !== undefined) return run;
  }
  if (value.length >= 24 && UUID_OR_HEX_ID.test(value)) return 'id';
  return undefined;
}
