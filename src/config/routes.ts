import type { EnvReader } from './env.js';
import { type ParsedTemplate, parseTemplate, type TemplatePart } from './route-syntax.js';

/** Route-label settings, documented once in docs/CONFIGURATION.md. */
export const ROUTE_DEFAULTS = Object.freeze({
  maxRoutes: 200,
  /**
   * Ten minutes: long enough that a route used every few minutes keeps its series, short enough
   * that a scan which filled the budget gives it back within one dashboard refresh window.
   */
  idleEvictS: 600,
});

/** More patterns than this is a generated list, which belongs in an OpenAPI document. */
export const MAX_ROUTE_PATTERNS = 1_000;

/** A template from ROUTE_PATTERNS or a Sentry route setting. */
export type RoutePattern = ParsedTemplate;

export interface RoutesConfig {
  /** Operator templates: always labelled, never counted against maxRoutes. */
  readonly patterns: readonly RoutePattern[];
  /** Learned templates that may hold an `http_route` value at once. */
  readonly maxRoutes: number;
  /** A learned template unseen this long gives its place back; 0 keeps it for good. */
  readonly idleEvictMs: number;
}

/** Parses one ROUTE_PATTERNS-style template; throws with the bad segment named. */
export function compileRoutePattern(source: string): RoutePattern {
  return parseTemplate(source, 'pattern');
}

export function readRoutesConfig(r: EnvReader): RoutesConfig {
  const maxRoutes = r.int('MAX_ROUTES', ROUTE_DEFAULTS.maxRoutes, 1, 100_000);
  const idleEvictS = r.int('ROUTE_IDLE_EVICT_S', ROUTE_DEFAULTS.idleEvictS, 0, 604_800);
  const patterns: RoutePattern[] = [];
  const sources = r.list('ROUTE_PATTERNS');
  if (sources.length > MAX_ROUTE_PATTERNS) {
    r.problem(
      'ROUTE_PATTERNS',
      `${sources.length} patterns`,
      `at most ${MAX_ROUTE_PATTERNS}; serve an OpenAPI document for larger APIs`,
    );
  }
  for (const source of sources.slice(0, MAX_ROUTE_PATTERNS)) {
    try {
      patterns.push(compileRoutePattern(source));
    } catch (error) {
      r.problem('ROUTE_PATTERNS', source, (error as Error).message);
    }
  }
  if (idleEvictS > 0 && idleEvictS < 10) {
    r.problem('ROUTE_IDLE_EVICT_S', String(idleEvictS), 'must be 0 (never evict) or at least 10 seconds');
  }
  return { patterns, maxRoutes, idleEvictMs: idleEvictS * 1000 };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function segmentMatches(parts: readonly TemplatePart[], segment: string): boolean {
  if (parts.length === 1) {
    const only = parts[0]!;
    return typeof only === 'string' ? only === segment : true;
  }
  const source = parts.map((p) => (typeof p === 'string' ? escapeRegExp(p) : '.+?')).join('');
  return new RegExp(`^${source}$`).test(segment);
}

/**
 * True when `segments` (a route template split on `/`, empty parts removed) fit the pattern.
 * Used on templates, not raw paths (Sentry's route settings), so its callers cache the answer.
 */
export function matchesRoutePattern(pattern: RoutePattern, segments: readonly string[]): boolean {
  const count = pattern.segments.length;
  if (pattern.rest ? segments.length < count : segments.length !== count) return false;
  for (let i = 0; i < count; i++) {
    if (!segmentMatches(pattern.segments[i]!, segments[i]!)) return false;
  }
  return true;
}
