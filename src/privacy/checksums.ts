/**
 * Checksums that tell a real payment card number or IBAN from a run of digits that merely looks
 * like one. Shared by the Sentry scrubber (which removes them from text) and the ingest label
 * guard (which refuses them as label values).
 */

/** The Luhn checksum every payment card number satisfies (ISO/IEC 7812-1). `digits` holds digits only. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * ISO 13616 mod-97 check of a compact IBAN (no spaces, 15 to 34 characters): the first four
 * characters move to the end, letters become numbers (A = 10), and the result mod 97 is 1.
 */
export function ibanValid(compact: string): boolean {
  if (compact.length < 15 || compact.length > 34) return false;
  const upper = compact.toUpperCase();
  const rearranged = upper.slice(4) + upper.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}
