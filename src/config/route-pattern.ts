/**
 * A route template declared by the operator in ROUTE_PATTERNS, such as `/api/users/:id` or
 * `/static/*`. `:name` matches exactly one path segment, a final `*` matches the rest.
 */
export interface RoutePattern {
  readonly template: string;
  /** One entry per segment: a literal to compare, or null for a `:param`. */
  readonly segments: readonly (string | null)[];
  /** True when the pattern ends in `*` and so matches any longer path too. */
  readonly prefix: boolean;
}

const SEGMENT = /^(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9._~!$&'()+;=@%-]+)$/;

export function compileRoutePattern(source: string): RoutePattern {
  if (!source.startsWith('/')) throw new Error('a route pattern must start with /');
  if (source.includes('?') || source.includes('#'))
    throw new Error('a route pattern has no query or fragment');
  const parts = source.split('/').filter((part) => part !== '');
  let prefix = false;
  if (parts.at(-1) === '*') {
    prefix = true;
    parts.pop();
  }
  const segments = parts.map((part) => {
    if (!SEGMENT.test(part))
      throw new Error(`segment "${part}" is neither a literal nor :name (a * may only end the pattern)`);
    return part.startsWith(':') ? null : part;
  });
  const template = '/' + parts.join('/') + (prefix ? (parts.length ? '/*' : '*') : '');
  return { template, segments, prefix };
}

/** True when `segments` (a path split on `/`, empty parts removed) fit the pattern. */
export function matchesRoutePattern(pattern: RoutePattern, segments: readonly string[]): boolean {
  if (
    pattern.prefix ? segments.length < pattern.segments.length : segments.length !== pattern.segments.length
  ) {
    return false;
  }
  for (let i = 0; i < pattern.segments.length; i++) {
    const literal = pattern.segments[i];
    if (literal !== null && literal !== segments[i]) return false;
  }
  return true;
}
