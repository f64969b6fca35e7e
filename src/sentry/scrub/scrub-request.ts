import { FILTERED, scrubText, truncate } from './scrub-text.js';
import { scrubValue } from './scrub-value.js';
import { isSensitiveKey } from './sensitive-keys.js';

/** The parts of an HTTP exchange a Sentry event may carry: query, URL, headers, a body excerpt, a user id. */

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

/** A user id is kept only when it is a plain identifier, never an email or other personal data. */
const PLAIN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The user id from SENTRY_USER_ID_HEADER, or undefined when it is not a plain identifier. */
export function safeUserId(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  return PLAIN_ID.test(value) && scrubText(value) === value ? value : undefined;
}
