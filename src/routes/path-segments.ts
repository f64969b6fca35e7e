/**
 * A request target's path and its segments, and the test that tells a value (an id, a date, a
 * token) from a word of a route. The query string is never looked at.
 */

/** The placeholder of a value-shaped segment in a learned template (OpenAPI style). */
export const ID_PLACEHOLDER = '{id}';
/** Segments past this depth fold into one `*`, so a deep path cannot mint endless shapes. */
export const MAX_LEARNED_SEGMENTS = 12;
/** A segment longer than this is a value whatever it looks like (tokens, encoded blobs). */
const MAX_LITERAL_LENGTH = 48;

const INTEGER = /^-?\d+$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HEX = /^(?:0x)?[0-9a-f]{12,}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL = /@|%40/;
const JWT = /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/;
const BASE64ISH = /^[A-Za-z0-9+/_=-]{20,}$/;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;
/** Characters that never appear in a route literal written by a developer. */
const UNUSUAL = /[^A-Za-z0-9._~-]/;

/** True when a path segment is a value (an id, a date, a token...) rather than part of a route. */
export function isValueSegment(segment: string): boolean {
  if (segment.length > MAX_LITERAL_LENGTH) return true;
  if (INTEGER.test(segment) || UUID.test(segment) || HEX.test(segment) || DATE.test(segment)) return true;
  if (EMAIL.test(segment) || JWT.test(segment)) return true;
  // Mixed letters and digits of some length: order numbers, slugs with ids, opaque keys.
  if (segment.length >= 8 && HAS_DIGIT.test(segment) && HAS_LETTER.test(segment)) return true;
  if (BASE64ISH.test(segment) && HAS_DIGIT.test(segment)) return true;
  // Percent-encoded or otherwise unusual characters: user-supplied names, search terms.
  return UNUSUAL.test(segment);
}

/**
 * The path of a request target, without query or fragment. Absolute-form targets
 * (RFC 9112 §3.2.2) keep only their path, never the authority; garbage becomes `/`.
 */
export function pathOf(target: string): string {
  let end = target.length;
  const query = target.indexOf('?');
  if (query !== -1) end = query;
  const hash = target.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  const path = end === target.length ? target : target.slice(0, end);
  if (path.charCodeAt(0) === 47 /* / */) return path;
  const scheme = path.indexOf('://');
  const slash = scheme === -1 ? -1 : path.indexOf('/', scheme + 3);
  return slash === -1 ? '/' : path.slice(slash);
}

/** The non-empty segments of a path: `//a//b/` is `a`, `b`. */
export function splitSegments(path: string): string[] {
  const segments: string[] = [];
  for (const part of path.split('/')) if (part !== '') segments.push(part);
  return segments;
}
