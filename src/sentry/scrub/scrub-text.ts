import {
  CARD_IN_TEXT,
  EMAIL_IN_TEXT,
  holdsCardNumber,
  IBAN_IN_TEXT,
  IPV4_IN_TEXT,
  IPV6_IN_TEXT,
  looksLikeIban,
  PHONE_IN_TEXT,
} from '../../privacy/index.js';
import { isSensitiveKey } from './sensitive-keys.js';

/** What a scrubbed value is replaced with, as Sentry's own server-side scrubbing writes it. */
export const FILTERED = '[Filtered]';

/** `"key": "value"` and `"key": 123` pairs inside JSON-looking text, even when truncated. */
const JSON_PAIR = /"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"?|-?\d[\d.eE+-]*|true|false)/g;
/** The same pairs in JSON serialised inside a JSON string (`"{\"password\":\"x\"}"`). */
const ESCAPED_JSON_PAIR =
  /\\"([^"\\]{1,64})\\"(\s*:\s*)(\\"(?:[^"\\]|\\(?!"))*(?:\\")?|-?\d[\d.eE+-]*|true|false)/g;
/** The `key=` or `key: ` of a pair in a query string, a log line or a message. */
const KEY_SEPARATOR = /([A-Za-z][A-Za-z0-9_.-]{0,63})(\s*[=:]\s*)/g;
const PAIR_VALUE = /^(?:"[^"]*"?|'[^']*'?|[^\s&,;"']+)/;

/**
 * Filters the values of secret-named `key=value` pairs. Keys are found one by one, and a value is
 * only skipped once filtered, so a pair inside another pair's value (`Error: token=abc`) is
 * still seen.
 */
function replaceKeyValues(text: string): string {
  let out = '';
  let last = 0;
  KEY_SEPARATOR.lastIndex = 0;
  for (let m = KEY_SEPARATOR.exec(text); m !== null; m = KEY_SEPARATOR.exec(text)) {
    if (!isSensitiveKey(m[1]!)) continue;
    const end = m.index + m[0].length;
    const value = PAIR_VALUE.exec(text.slice(end))?.[0];
    if (value === undefined || value === FILTERED || value === `"${FILTERED}"`) continue;
    out += text.slice(last, end) + FILTERED;
    last = end + value.length;
    KEY_SEPARATOR.lastIndex = last;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** A digit run that holds a card number and more (`4111 1111 1111 1111 22`) is scrubbed whole. */
function replaceCards(text: string): string {
  return text.replace(CARD_IN_TEXT, (match) => (holdsCardNumber(match) ? FILTERED : match));
}

/**
 * The IBAN pattern is greedy and may run on into the next word (`GB82 WEST … 32 phone`): the
 * match is shortened word by word until an IBAN is recognised, and only that part is scrubbed.
 */
function replaceIbans(text: string): string {
  return text.replace(IBAN_IN_TEXT, (match) => {
    const words = match.split(' ');
    for (let n = words.length; n >= 1; n--) {
      const candidate = words.slice(0, n).join(' ');
      if (looksLikeIban(candidate)) return FILTERED + match.slice(candidate.length);
    }
    return match;
  });
}

/** Three base64url parts, the first one a JSON header (`eyJ` is `{"` encoded). */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
/** RFC 9110 credentials as they appear in Authorization headers and log lines. */
const AUTH_SCHEME = /\b(Bearer|Basic|Digest|Token|Negotiate|ApiKey)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
const AUTH_WORD = /bearer|basic|digest|token|negotiate|apikey/i;
const DIGIT = /\d/;

/** Replaces personal data and credentials inside free text (messages, bodies, header values). */
export function scrubText(text: string): string {
  if (text === '') return text;
  // Each pass runs only when the text has the character its pattern cannot do without: most
  // strings (route names, ids) skip nearly all of them.
  let out = text;
  if (out.includes('eyJ')) out = out.replace(JWT, FILTERED);
  if (AUTH_WORD.test(out)) out = out.replace(AUTH_SCHEME, (_m, scheme: string) => `${scheme} ${FILTERED}`);
  if (out.includes('"')) {
    out = out.replace(JSON_PAIR, (match, key: string, sep: string) =>
      isSensitiveKey(key) ? `"${key}"${sep}"${FILTERED}"` : match,
    );
    out = out.replace(ESCAPED_JSON_PAIR, (match, key: string, sep: string) =>
      isSensitiveKey(key) ? `\\"${key}\\"${sep}\\"${FILTERED}\\"` : match,
    );
  }
  const colon = out.includes(':');
  if (colon || out.includes('=')) out = replaceKeyValues(out);
  if (out.includes('@')) out = out.replace(EMAIL_IN_TEXT, FILTERED);
  if (DIGIT.test(out)) {
    out = replaceIbans(replaceCards(out));
    out = out.replace(PHONE_IN_TEXT, FILTERED).replace(IPV4_IN_TEXT, FILTERED);
  }
  if (colon) out = out.replace(IPV6_IN_TEXT, FILTERED);
  return out;
}

/** `text` cut to `max` characters, marked with an ellipsis when it was longer. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
