import { ibanValid, luhnValid } from './checksums.js';

/**
 * What personal data looks like, for the two places that look for it: Sentry scrubbing, which
 * finds it inside free text and replaces exactly what it found, and the ingest label guard, which
 * refuses a whole label value (letters, digits and `_ . : / @ + -`, never a space) holding any.
 *
 * A shape both can use is defined once. Where the two need different ones, both stand here side
 * by side, named for their use (`…_IN_TEXT`, `…_IN_LABEL`), with the reason. Text patterns err on
 * the side of scrubbing too much (a lost digit in a Sentry message is a nuisance, a leaked card
 * number is a defect) but stop at word boundaries, so ids and hex strings keep their links.
 * Global (`g`) patterns are for `replace` and `matchAll` only, never `test`.
 */

// E-mail addresses

/** The address itself, so the text around it survives (`/u/jane@…` keeps `/u/`, JSON its quotes). */
export const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * Anything shaped `name@host.tld`, whatever label characters stand around the `@`: a label is
 * refused whole, so where the address starts does not matter, and a refusal costs the caller a
 * renamed label while a leaked address stays in every replica of the series.
 */
export const EMAIL_IN_LABEL = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i;

// Payment card numbers (and the long digit runs they hide in)

/** 13 to 19 digits, optionally grouped by spaces or dashes, between word boundaries. */
export const CARD_IN_TEXT = /\b\d(?:[ -]?\d){12,18}\b/g;

/**
 * Runs of digits of any length, grouped the same way. No word boundaries: labels join words with
 * `_` (`card_4111…`), and the guard refuses a run of 10 or more digits as an id anyway.
 */
export const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

/**
 * True when a run of digit groups holds a card number: some window of whole groups has 13 to 19
 * digits and passes the Luhn check (ISO/IEC 7812-1), so `4111 1111 1111 1111 22` holds one too.
 */
export function holdsCardNumber(run: string): boolean {
  const groups = run.split(/[ -]/);
  for (let start = 0; start < groups.length; start++) {
    let digits = '';
    for (let end = start; end < groups.length; end++) {
      digits += groups[end];
      if (digits.length > 19) break;
      if (digits.length >= 13 && luhnValid(digits)) return true;
    }
  }
  return false;
}

// IBANs

/** Country code, two check digits, 11 to 30 alphanumerics, optionally grouped by single spaces (ISO 13616). */
const IBAN = String.raw`[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}`;

/** An IBAN as a word of its own: inside a longer word, lower-case hex ids would pass the checksum often. */
export const IBAN_IN_TEXT = new RegExp(String.raw`\b${IBAN}\b`, 'g');

/** An IBAN anywhere in a label (`iban_DE89…`); the guard confirms it by its checksum (`ibanValid`). */
export const IBAN_IN_LABEL = new RegExp(IBAN, 'g');

/**
 * Scrubbing's rule for an IBAN-shaped match. Upper-case matches are scrubbed even when the
 * checksum fails (a mistyped IBAN still identifies an account); lower-case ones only when valid,
 * so hex ids such as `ab12cd…` are left alone. The label guard refuses only valid ones, as
 * docs/INGEST_API.md says: upper-case codes are common label values.
 */
export function looksLikeIban(match: string): boolean {
  const compact = match.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  if (/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return true;
  return ibanValid(compact);
}

// Phone numbers

/** International numbers as people write them (E.164 with the usual separators); a leading + keeps false hits rare. */
export const PHONE_IN_TEXT = /\+\d(?:[\s().-]?\d){7,14}\b/g;

/**
 * E.164 exactly: a plus sign and 8 to 15 digits. Without separators, so a version or date suffix
 * such as `model+2024.08.06` stays a usable label.
 */
export const PHONE_IN_LABEL = /\+\d{8,15}(?!\d)/;

// IP addresses

/** Dotted IPv4 between word boundaries, so `1.2.3.4` is scrubbed even as the start of `1.2.3.4.5`. */
export const IPV4_IN_TEXT =
  /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g;

/**
 * Dotted IPv4 not run on by another digit or dot, so a version such as `libfoo-1.2.3.4.5` stays a
 * usable label; the guard also asks `node:net` about the whole value (IPv6 included).
 */
export const IPV4_IN_LABEL =
  /(?<![\d.])(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}(?![\d.])/;

/** Full or `::`-compressed IPv6 inside text; clock times such as 10:30:00 match neither form. */
export const IPV6_IN_TEXT =
  /\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?(?![0-9A-Fa-f:])/g;
