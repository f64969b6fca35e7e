import { matchesRoutePattern, type RoutePattern } from '../config/route-pattern.js';

/**
 * Turns a raw request target into a low-cardinality route template. Raw paths never become
 * labels: operator patterns match first, then segments that look like values (ids, UUIDs,
 * hashes, dates, emails, tokens) become `:id`. The query string is never looked at.
 */

export const PLACEHOLDER = ':id';
/** Segments past this depth fold into one `*`, so a deep path cannot mint endless shapes. */
export const MAX_TEMPLATE_SEGMENTS = 12;
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

/** The path of a request target without query or fragment. */
export function pathOf(target: string): string {
  let end = target.length;
  const query = target.indexOf('?');
  if (query !== -1) end = query;
  const hash = target.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  return end === target.length ? target : target.slice(0, end);
}

function splitSegments(path: string): string[] {
  const segments: string[] = [];
  for (const part of path.split('/')) if (part !== '') segments.push(part);
  return segments;
}

export interface RouteTemplate {
  readonly template: string;
  /** True when an operator pattern matched: such routes are trusted without backend evidence. */
  readonly declared: boolean;
}

/** Templates a request target. Absolute-form targets (`http://host/path`) use their path. */
export function templateRoute(target: string, patterns: readonly RoutePattern[]): RouteTemplate {
  let path = pathOf(target);
  if (!path.startsWith('/')) {
    // Absolute-form (RFC 9112 §3.2.2) or garbage: keep only a path, never the authority.
    const scheme = path.indexOf('://');
    const slash = scheme === -1 ? -1 : path.indexOf('/', scheme + 3);
    path = slash === -1 ? '/' : path.slice(slash);
  }
  const segments = splitSegments(path);
  for (const pattern of patterns) {
    if (matchesRoutePattern(pattern, segments)) return { template: pattern.template, declared: true };
  }
  if (segments.length === 0) return { template: '/', declared: false };
  let template = '';
  const depth = Math.min(segments.length, MAX_TEMPLATE_SEGMENTS);
  for (let i = 0; i < depth; i++) {
    const segment = segments[i]!;
    template += '/' + (isValueSegment(segment) ? PLACEHOLDER : segment);
  }
  if (segments.length > MAX_TEMPLATE_SEGMENTS) template += '/*';
  return { template, declared: false };
}
