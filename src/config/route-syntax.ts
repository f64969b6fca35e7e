/**
 * The syntax of route templates, shared by ROUTE_PATTERNS, the Sentry route settings and the
 * templates of an OpenAPI document. Pure parsing: matching lives in src/routes/.
 *
 * - `openapi`: OpenAPI path templating. `{name}` is a parameter, whole segment or part of one
 *   (`/report.{format}`, `/v{version}/x`); every other character is literal, `:` and `*` included
 *   (`/v1/{name}:cancel`).
 * - `pattern` (ROUTE_PATTERNS): the same, plus `:name` as a whole segment, `{name:path}` and a
 *   final `*` for the rest of the path, and Starlette's converters (`{id:int}`) read as `{id}`.
 */

export type TemplateDialect = 'openapi' | 'pattern';

/** One part of a segment: literal text, or a parameter (its name as written). */
export type TemplatePart = string | { readonly param: string };

export interface ParsedTemplate {
  /** The label: the template as written, with `:name` spelled `{name}`. */
  readonly template: string;
  /** Segments before any multi-segment rest, each as its parts in order. */
  readonly segments: readonly (readonly TemplatePart[])[];
  /** True when the template ends in `{name:path}` or `*`: it matches the rest of the path. */
  readonly rest: boolean;
  /** Segments without any parameter: the precedence among templates that match one path. */
  readonly literalSegments: number;
}

/** Longer templates are refused: no real route is this long, and each costs memory in the tree. */
export const MAX_TEMPLATE_LENGTH = 1_024;
export const MAX_TEMPLATE_SEGMENTS = 32;

/** Starlette's path converters: all but `path` take exactly one segment. */
const SINGLE_SEGMENT_CONVERTERS = new Set(['str', 'int', 'float', 'uuid']);
const COLON_PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
/** Characters that never belong in a path template: controls, whitespace, `\`, `?`, `#`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const FORBIDDEN = /[\u0000-\u0020\u007f\\?#]/;

export class TemplateSyntaxError extends Error {}

function fail(segment: string, why: string): never {
  throw new TemplateSyntaxError(`segment "${segment}" ${why}`);
}

/** The parts of one segment, `{name}` parameters among literal text. */
function parseSegment(segment: string, dialect: TemplateDialect): { parts: TemplatePart[]; rest: boolean } {
  if (dialect === 'pattern') {
    const colon = COLON_PARAM.exec(segment);
    if (colon) return { parts: [{ param: colon[1]! }], rest: false };
    if (segment === '*') return { parts: [], rest: true };
    if (segment.includes('*'))
      fail(segment, 'has a * that is not a whole final segment (write * alone to match the rest)');
  }
  if (segment === '.' || segment === '..') fail(segment, 'is a dot segment, which clients resolve away');
  const parts: TemplatePart[] = [];
  let rest = false;
  let i = 0;
  while (i < segment.length) {
    const open = segment.indexOf('{', i);
    const close = segment.indexOf('}', i);
    if (close !== -1 && (open === -1 || close < open)) fail(segment, 'has a } without its {');
    if (open === -1) {
      parts.push(segment.slice(i));
      break;
    }
    if (open > i) parts.push(segment.slice(i, open));
    if (close === -1) fail(segment, 'has a { without its }');
    const inner = segment.slice(open + 1, close);
    if (inner.includes('{')) fail(segment, 'has a { inside a parameter');
    if (parts.length > 0 && typeof parts.at(-1) !== 'string') {
      fail(segment, 'has two parameters side by side, which no path can tell apart');
    }
    let name = inner;
    const colon = dialect === 'pattern' ? inner.lastIndexOf(':') : -1;
    if (colon !== -1) {
      name = inner.slice(0, colon);
      const converter = inner.slice(colon + 1);
      if (converter === 'path') {
        if (open !== 0 || close !== segment.length - 1) {
          fail(segment, `has {${inner}}, which must be a whole segment`);
        }
        rest = true;
      } else if (!SINGLE_SEGMENT_CONVERTERS.has(converter)) {
        fail(segment, `has the unknown converter "${converter}" (known: path, str, int, float, uuid)`);
      }
    }
    if (name.trim() === '') fail(segment, 'has a parameter without a name');
    parts.push({ param: name });
    i = close + 1;
  }
  return { parts, rest };
}

/**
 * Parses a route template. Throws a TemplateSyntaxError naming the bad segment and the rule, so
 * a config problem or a refused document template says what to fix.
 */
export function parseTemplate(source: string, dialect: TemplateDialect): ParsedTemplate {
  if (!source.startsWith('/')) throw new TemplateSyntaxError('a route template must start with /');
  if (source.length > MAX_TEMPLATE_LENGTH) {
    throw new TemplateSyntaxError(`a route template is at most ${MAX_TEMPLATE_LENGTH} characters`);
  }
  const forbidden = FORBIDDEN.exec(source);
  if (forbidden) {
    throw new TemplateSyntaxError(
      forbidden[0] === '?' || forbidden[0] === '#'
        ? 'a route template has no query or fragment'
        : `a route template has no spaces, control characters or backslashes (found ${JSON.stringify(forbidden[0])})`,
    );
  }
  // A trailing slash is the same route for the matcher; an empty segment elsewhere is a typo.
  const raw = source.length > 1 && source.endsWith('/') ? source.slice(1, -1) : source.slice(1);
  const texts = raw === '' ? [] : raw.split('/');
  if (texts.length > MAX_TEMPLATE_SEGMENTS) {
    throw new TemplateSyntaxError(`a route template has at most ${MAX_TEMPLATE_SEGMENTS} segments`);
  }
  const segments: TemplatePart[][] = [];
  let rest = false;
  let label = '';
  for (const text of texts) {
    if (text === '') throw new TemplateSyntaxError('a route template has no empty segment (//)');
    if (rest) fail(text, 'follows a rest of the path ({name:path} or *), which must end the template');
    const parsed = parseSegment(text, dialect);
    label += '/' + (dialect === 'pattern' && COLON_PARAM.test(text) ? `{${text.slice(1)}}` : text);
    if (parsed.rest) rest = true;
    else segments.push(parsed.parts);
  }
  const literalSegments = segments.filter((parts) => parts.every((p) => typeof p === 'string')).length;
  const template = dialect === 'openapi' ? source : label === '' ? '/' : label;
  return { template, segments, rest, literalSegments };
}
