/**
 * Which names (headers, query parameters, JSON keys) announce a secret or personal data: their
 * values are filtered whatever they look like.
 */

/** Names that contain one of these (separators ignored, any case) hold secrets or personal data. */
const SENSITIVE_FRAGMENTS =
  /passw|passwd|pwd|secret|token|apikey|auth|credential|privatekey|session|sessid|cookie|csrf|xsrf|signature|cvv|cvc|ssn|iban|cardnumber|creditcard|ccnumber|accountnumber|email|phone|mobile|birthdate|dateofbirth|taxid|socialsecurity|passport|bearer/;
/** Short names that only count as a whole word, so `footprint` does not match `otp`. */
const SENSITIVE_WORDS = new Set([
  'otp',
  'pin',
  'pan',
  'key',
  'sig',
  'jwt',
  'sid',
  'dob',
  'cvv',
  'mfa',
  'totp',
]);

const sensitiveKeyCache = new Map<string, boolean>();

/** True when a header, query parameter or JSON key names a secret or personal data. */
export function isSensitiveKey(key: string): boolean {
  let hit = sensitiveKeyCache.get(key);
  if (hit !== undefined) return hit;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  hit = SENSITIVE_FRAGMENTS.test(words.join('')) || words.some((w) => SENSITIVE_WORDS.has(w));
  if (sensitiveKeyCache.size < 10_000) sensitiveKeyCache.set(key, hit);
  return hit;
}
