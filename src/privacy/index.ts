/**
 * Personal data: what it looks like (payment cards, IBANs, e-mail addresses, phone numbers, IP
 * addresses) and the checksums that tell a real card number or IBAN from digits that merely look
 * like one. Shared by Sentry scrubbing (src/sentry/scrub) and the ingest label guard
 * (src/ingest/personal-data.ts), so both recognise personal data the same way.
 */
export { ibanValid, luhnValid } from './checksums.js';
export {
  CARD_IN_TEXT,
  DIGIT_RUN,
  EMAIL_IN_LABEL,
  EMAIL_IN_TEXT,
  holdsCardNumber,
  IBAN_IN_LABEL,
  IBAN_IN_TEXT,
  IPV4_IN_LABEL,
  IPV4_IN_TEXT,
  IPV6_IN_TEXT,
  looksLikeIban,
  PHONE_IN_LABEL,
  PHONE_IN_TEXT,
} from './patterns.js';
