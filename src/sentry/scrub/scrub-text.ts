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

/**
 * Scrubbing happens in the sidecar, before anything reaches the Sentry SDK, whatever Sentry's
 * server-side settings are: the banking use makes a leak a defect. Three layers apply:
 * keys that name secrets lose their values, values that look like personal data or
 * credentials are replaced wherever they appear, and client-identity headers are never kept.
 */

export const FILTERED = '[Filtered]';

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

/** Headers that identify the client's address: never sent, allow-listed or not. */
export const CLIENT_IDENTITY_HEADERS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-forwarded-for',
  'x-real-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'fastly-client-ip',
  'x-original-forwarded-for',
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

export interface ScrubLimits {
  readonly depth: number;
  readonly breadth: number;
  readonly stringLength: number;
}

const DEFAULT_LIMITS: ScrubLimits = { depth: 6, breadth: 100, stringLength: 4096 };

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * A deep copy of any JSON-like value with sensitive keys filtered and every string scrubbed.
 * Depth, breadth and string length are bounded, so a hostile payload cannot make scrubbing slow.
 */
export function scrubValue(value: unknown, limits: ScrubLimits = DEFAULT_LIMITS, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(truncate(value, limits.stringLength));
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'object') return value === undefined ? undefined : String(value);
  if (depth >= limits.depth) return '[Truncated]';
  if (Array.isArray(value)) {
    return value.slice(0, limits.breadth).map((item) => scrubValue(item, limits, depth + 1));
  }
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, inner] of Object.entries(value)) {
    if (count++ >= limits.breadth) break;
    // A key can carry data too (`{"jane@example.com": 1}`).
    const safeKey = scrubText(truncate(key, 128));
    out[safeKey] = isSensitiveKey(key) ? FILTERED : scrubValue(inner, limits, depth + 1);
  }
  return out;
}

/** URI-encodes a scrubbed part, keeping the marker readable. */
function encodeScrubbed(text: string): string {
  return encodeURIComponent(text).replaceAll('%5BFiltered%5D', FILTERED);
}

/** A query string (without `?`) with secret-named parameters filtered and values scrubbed. */
export function scrubQuery(query: string): string {
  if (query === '') return query;
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawKey = eq === -1 ? pair : pair.slice(0, eq);
      let key: string;
      let value: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
        value = eq === -1 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
      } catch {
        // Malformed percent-encoding: nothing about it can be trusted to be harmless.
        return `${encodeScrubbed(scrubText(rawKey))}=${FILTERED}`;
      }
      const safeKey = encodeScrubbed(scrubText(key));
      if (eq === -1) return safeKey;
      return `${safeKey}=${isSensitiveKey(key) ? FILTERED : encodeScrubbed(scrubText(value))}`;
    })
    .join('&');
}

/** A URL with its user-info dropped, its query scrubbed and its path scrubbed as text. */
export function scrubUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return scrubText(url);
  }
  parsed.username = '';
  parsed.password = '';
  const query = parsed.search.slice(1);
  parsed.search = '';
  parsed.hash = '';
  const base = scrubText(decodeSafely(parsed.toString()));
  return query ? `${base}?${scrubQuery(query)}` : base;
}

function decodeSafely(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

/**
 * Request headers as sent to Sentry: only the allow-listed names, never a client-identity
 * header, secret-named ones filtered even when allow-listed, every value scrubbed.
 */
export function scrubHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  allowed: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of allowed) {
    const raw = headers[name];
    if (raw === undefined || CLIENT_IDENTITY_HEADERS.has(name)) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (isSensitiveKey(name)) out[name] = FILTERED;
    else if (name === 'referer' || name === 'origin') out[name] = scrubUrl(truncate(value, 2048));
    else out[name] = scrubText(truncate(value, 1024));
  }
  return out;
}

/**
 * A response body excerpt made safe: JSON is parsed and scrubbed by key when it is complete,
 * form bodies by parameter, anything else (including JSON cut off by the excerpt limit) as text.
 */
export function scrubBody(text: string, contentType: string): string {
  const type = contentType.toLowerCase();
  if (type.includes('json')) {
    try {
      return JSON.stringify(scrubValue(JSON.parse(text)));
    } catch {
      return scrubText(text);
    }
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return scrubQuery(text.trim());
  return scrubText(text);
}
