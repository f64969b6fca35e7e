import { addRoute, createRouter, findAllRoutes, findRoute } from 'rou3';
import type { ParsedTemplate, TemplatePart } from '../config/route-syntax.js';

/** Where a declared template comes from. */
export type DeclaredSource = 'pattern' | 'document';

export interface DeclaredRoute {
  readonly template: string;
  readonly source: DeclaredSource;
  readonly literalSegments: number;
  /** Not one literal character (`/{a}`, `/{a}/{b}`): it matches any path of its length. */
  readonly catchAll: boolean;
}

export interface DeclaredMatch {
  readonly route: DeclaredRoute;
  /**
   * The match says little about the route: several segments taken by a final parameter, a
   * rest-of-path pattern, or a catch-all. The backend's 404 or 405 then means no route at all.
   */
  readonly loose: boolean;
}

/** Characters rou3 reads as syntax; a backslash makes each literal. */
const ROU3_SYNTAX = /[:*?+(){}\\]/g;
/** Characters that would extend a parameter name in rou3's syntax. */
const NAME_CHAR = /^[A-Za-z0-9_]/;

function rou3Segment(parts: readonly TemplatePart[], next: { n: number }): string {
  let out = '';
  let afterParam = false;
  for (const part of parts) {
    if (typeof part === 'string') {
      const escaped = part.replace(ROU3_SYNTAX, '\\$&');
      out += afterParam && NAME_CHAR.test(escaped) ? `\\${escaped}` : escaped;
      afterParam = false;
    } else {
      // Generated names: OpenAPI allows any text in a name, rou3 only identifiers.
      out += `:p${next.n++}`;
      afterParam = true;
    }
  }
  return out;
}

function isWholeParam(parts: readonly TemplatePart[]): boolean {
  return parts.length === 1 && typeof parts[0] !== 'string';
}

/**
 * The declared templates (ROUTE_PATTERNS and an OpenAPI document's) in two rou3 radix trees:
 * one for exact matches, one for matches that take the rest of the path. A new document builds
 * a new instance; nothing is removed from one in place.
 *
 * Precedence (OpenAPI's, made total): a concrete path before any templated one, then the
 * template with more literal segments (`/{t}/users/list` before `/admin/{x}/{y}` for
 * `/admin/users/list`), then rou3's own order (static before parameter, segment by segment;
 * more literal text in a mixed segment first). Only when no template matches exactly does a
 * final parameter take several segments (FastAPI documents `{file_path:path}` as `{file_path}`).
 */
export class DeclaredRoutes {
  private readonly exact = createRouter<DeclaredRoute>();
  private readonly rest = createRouter<DeclaredRoute>();
  /** Shape (the rou3 pattern with generated names) → the template that holds it. */
  private readonly shapes = new Map<string, string>();

  get size(): number {
    return this.shapes.size;
  }

  /**
   * Adds a template; returns why it was refused, or undefined. `label` is what requests that
   * match it are labelled with: the template itself, or for a document's template reached
   * under a path prefix, the template as the document writes it.
   */
  add(parsed: ParsedTemplate, source: DeclaredSource, label = parsed.template): string | undefined {
    const next = { n: 0 };
    const path = '/' + parsed.segments.map((parts) => rou3Segment(parts, next)).join('/');
    const shape = parsed.rest ? `${path === '/' ? '' : path}/*` : path;
    const holder = this.shapes.get(shape);
    if (holder !== undefined) return `matches the same paths as ${holder}`;
    const catchAll = parsed.segments.length > 0 && parsed.segments.every(isWholeParam) && !parsed.rest;
    const route: DeclaredRoute = {
      template: label,
      source,
      literalSegments: parsed.literalSegments,
      catchAll,
    };
    try {
      if (parsed.rest) {
        addRoute(this.rest, '', shape, route);
      } else {
        addRoute(this.exact, '', path, route);
        const last = parsed.segments.at(-1);
        if (last !== undefined && isWholeParam(last) && !catchAll) {
          // `/files/{p}` also takes `/files/a/b`, but only when nothing matches exactly. A
          // catch-all does not: `/{a}` taking every path would leave nothing to learn.
          addRoute(this.rest, '', `${path.slice(0, path.lastIndexOf('/'))}/:p${next.n}+`, route);
        }
      }
    } catch (error) {
      return `is not a path template the matcher can use: ${(error as Error).message}`;
    }
    this.shapes.set(shape, parsed.template);
    return undefined;
  }

  /** The declared template a request path (percent-encoded, without query) falls under, if any. */
  match(path: string): DeclaredMatch | undefined {
    if (this.shapes.size === 0) return undefined;
    if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
    const all = findAllRoutes(this.exact, '', path, { params: false });
    if (all.length > 0) {
      // rou3 lists matches from least to most specific: on equal literal segments, the later wins.
      let best = all[0]!.data;
      for (let i = 1; i < all.length; i++) {
        const candidate = all[i]!.data;
        if (candidate.literalSegments >= best.literalSegments) best = candidate;
      }
      if (!best.catchAll) return { route: best, loose: false };
      // A catch-all says less than a rest-of-path template with a literal (`/static/*`).
      const rest = findRoute(this.rest, '', path, { params: false })?.data;
      return { route: rest !== undefined && rest.literalSegments > 0 ? rest : best, loose: true };
    }
    const rest = findRoute(this.rest, '', path, { params: false });
    return rest === undefined ? undefined : { route: rest.data, loose: true };
  }
}
