import { ibanValid } from '../privacy/checksums.js';

/**
 * Recognisers for personal data and credentials inside free text. Each pattern errs on the side
 * of scrubbing too much: a lost digit in a Sentry message is a nuisance, a leaked card number
 * is a defect.
 */

/** Three base64url parts, the first one a JSON header (`eyJ` is `{"` encoded). */
export const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/** RFC 9110 credentials as they appear in Authorization headers and log lines. */
export const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token|Negotiate|ApiKey)\s+[A-Za-z0-9._~+/=-]{4,}/gi;

export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** 13 to 19 digits, optionally grouped by spaces or dashes; confirmed by the Luhn check. */
export const CARD_CANDIDATE = /\b\d(?:[ -]?\d){12,18}\b/g;

/** Country code, two check digits, 11 to 30 alphanumerics, optionally grouped by single spaces. */
export const IBAN_CANDIDATE = /\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b/g;

/** International phone numbers (E.164 with the usual separators); a leading + keeps false hits rare. */
export const PHONE = /\+\d(?:[\s().-]?\d){7,14}\b/g;

export const IPV4 = /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g;

/** Full or `::`-compressed IPv6; clock times such as 10:30:00 match neither form. */
export const IPV6 =
  /\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}\b|\b(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?(?![0-9A-Fa-f:])/g;

/**
 * True for an IBAN-shaped match worth scrubbing. Upper-case matches are scrubbed even when the
 * checksum fails (a mistyped IBAN still identifies an account); lower-case ones only when valid,
 * so hex ids such as `ab12cd…` are left alone.
 */
export function looksLikeIban(match: string): boolean {
  const compact = match.replace(/ /g, '');
  if (compact.length < 15 || compact.length > 34) return false;
  if (/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return true;
  return ibanValid(compact);
}
