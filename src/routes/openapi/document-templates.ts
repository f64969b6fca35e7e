/**
 * From a parsed API description to the route templates the proxy's clients request: each key of
 * `paths` behind the document's own path prefix (OpenAPI 3 `servers[0].url`, Swagger 2
 * `basePath`) and OPENAPI_PATH_PREFIX. Only the top level and the keys of `paths` are read:
 * operations, schemas and `$ref`s are never walked, so a document full of cyclic or deeply
 * nested references costs nothing here.
 *
 * Runs inside the parse worker, which Node also starts straight from the TypeScript sources (in
 * tests): this file has no runtime imports, so nothing here needs resolving (see openapi-parser.ts).
 */

export interface TemplateOptions {
  /** Most templates a document may hold (OPENAPI_MAX_ROUTES). */
  readonly maxRoutes: number;
  /** Whether `servers[0].url`'s path or `basePath` goes in front of every template. */
  readonly serverPrefix: boolean;
  /** Where the document was fetched: relative server URLs are resolved against it. */
  readonly documentUrl: string;
}

export interface RefusedKey {
  /** The key, shortened for a log line. */
  readonly key: string;
  readonly reason: string;
}

export type TemplatesVerdict =
  | {
      readonly ok: true;
      /** `OpenAPI 3.1.0` or `Swagger 2.0`, for log lines. */
      readonly version: string;
      /** The keys of `paths`, verbatim: the labels, as in-app instrumentations report http.route. */
      readonly templates: string[];
      /** The document's own path prefix (`servers[0].url`'s path, `basePath`); '' for none. */
      readonly serverPrefix: string;
      /** Keys that are not path templates: how many, and the first few. */
      readonly refusedCount: number;
      readonly refused: RefusedKey[];
    }
  | {
      readonly ok: false;
      readonly outcome: 'invalid' | 'too_large';
      readonly reason: string;
      /** Not an API description at all (another kind of page): discovery may try the next path. */
      readonly notApiDescription: boolean;
    };

/** Far longer than any real route, short enough to be a Prometheus label value. */
export const MAX_TEMPLATE_LENGTH = 1024;
/** Refused keys named in a log line; the rest are only counted. */
const REFUSED_EXAMPLES = 5;
const SHOWN_KEY_LENGTH = 80;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function shown(text: string): string {
  return JSON.stringify(text.length > SHOWN_KEY_LENGTH ? `${text.slice(0, SHOWN_KEY_LENGTH)}…` : text);
}

/** Why a `paths` key is not an OpenAPI path template, or undefined when it is one. */
export function templateProblem(key: string): string | undefined {
  if (key.length > MAX_TEMPLATE_LENGTH) {
    return `is ${key.length} characters long, over ${MAX_TEMPLATE_LENGTH}`;
  }
  if (!key.startsWith('/')) return 'does not start with /';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for.
  if (/[\u0000-\u0020\u007f]/.test(key)) return 'contains whitespace or a control character';
  if (/[?#]/.test(key)) return 'contains a query string or fragment (? or #)';
  let open = -1;
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === '{') {
      if (open >= 0) return 'has a { inside a parameter';
      open = i;
    } else if (c === '}') {
      if (open < 0) return 'has a } without its {';
      if (i === open + 1) return 'has an empty parameter {}';
      open = -1;
    } else if (c === '/' && open >= 0) {
      return 'has a parameter that spans a /';
    }
  }
  return open >= 0 ? 'has a { that is never closed' : undefined;
}

type Prefix = { ok: true; prefix: string } | { ok: false; reason: string };

function withoutTrailingSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

/** OpenAPI 3: the path of the first server's URL, its variables replaced by their defaults. */
function serverPath(doc: Json, documentUrl: string): Prefix {
  const servers = doc['servers'];
  if (servers === undefined || (Array.isArray(servers) && servers.length === 0)) {
    return { ok: true, prefix: '' };
  }
  const first = Array.isArray(servers) ? servers[0] : undefined;
  if (!isObject(first) || typeof first['url'] !== 'string') {
    return { ok: false, reason: 'servers must be a list of objects with a url' };
  }
  const variables = isObject(first['variables']) ? first['variables'] : {};
  let missing: string | undefined;
  const url = first['url'].replace(/\{([^{}]*)\}/g, (_m, name: string) => {
    const variable = variables[name];
    const value = isObject(variable) ? variable['default'] : undefined;
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    missing ??= name;
    return '';
  });
  if (missing !== undefined) {
    return {
      ok: false,
      reason: `servers[0].url uses {${missing}}, which has no default in servers[0].variables`,
    };
  }
  try {
    return { ok: true, prefix: withoutTrailingSlash(new URL(url, documentUrl).pathname) };
  } catch {
    return { ok: false, reason: `servers[0].url ${shown(url)} is not a URL` };
  }
}

/** Swagger 2: `basePath`, which the specification requires to start with a slash. */
function basePath(doc: Json): Prefix {
  const value = doc['basePath'];
  if (value === undefined) return { ok: true, prefix: '' };
  if (typeof value !== 'string' || /[\s?#{}]/.test(value)) {
    return { ok: false, reason: `basePath must be a path such as /api/v1, found ${shown(String(value))}` };
  }
  return { ok: true, prefix: withoutTrailingSlash(value.startsWith('/') ? value : `/${value}`) };
}

function versionOf(doc: Json): { version: string; swagger: boolean } | { problem: string } | undefined {
  const openapi = doc['openapi'];
  const swagger = doc['swagger'];
  // YAML reads an unquoted `openapi: 3.1` as a number; the intent is plain.
  if (typeof openapi === 'string' || typeof openapi === 'number') {
    return /^3(\.|$)/.test(String(openapi))
      ? { version: `OpenAPI ${openapi}`, swagger: false }
      : { problem: `OpenAPI ${openapi} is not supported (OpenAPI 3.x and Swagger 2.0 are)` };
  }
  if (swagger === '2.0' || swagger === 2) return { version: 'Swagger 2.0', swagger: true };
  if (swagger !== undefined) {
    return { problem: `Swagger ${String(swagger)} is not supported (OpenAPI 3.x and Swagger 2.0 are)` };
  }
  return undefined;
}

function refuse(
  reason: string,
  outcome: 'invalid' | 'too_large' = 'invalid',
  notApi = false,
): TemplatesVerdict {
  return { ok: false, outcome, reason, notApiDescription: notApi };
}

export function documentTemplates(doc: unknown, options: TemplateOptions): TemplatesVerdict {
  if (!isObject(doc)) return refuse(`not an API description: ${kindOf(doc)}, not an object`, 'invalid', true);
  const version = versionOf(doc);
  if (version === undefined) {
    return refuse('not an API description: neither openapi: 3.x nor swagger: "2.0"', 'invalid', true);
  }
  if ('problem' in version) return refuse(version.problem);
  const paths = doc['paths'];
  if (paths === undefined && version.swagger) return refuse('no paths (required in Swagger 2.0)');
  if (paths === undefined && /^OpenAPI 3\.0/.test(version.version)) {
    return refuse('no paths (required in OpenAPI 3.0)');
  }
  if (paths !== undefined && !isObject(paths)) {
    return refuse(`paths is ${kindOf(paths)}: it must map path templates to path items`);
  }
  // `x-` keys are specification extensions, not paths.
  const keys = Object.keys(paths ?? {}).filter((key) => !key.startsWith('x-'));
  if (keys.length > options.maxRoutes) {
    return refuse(`${keys.length} paths exceed OPENAPI_MAX_ROUTES (${options.maxRoutes})`, 'too_large');
  }
  const own: Prefix = !options.serverPrefix
    ? { ok: true, prefix: '' }
    : version.swagger
      ? basePath(doc)
      : serverPath(doc, options.documentUrl);
  if (!own.ok) return refuse(own.reason);

  const templates = new Set<string>();
  const refused: RefusedKey[] = [];
  let refusedCount = 0;
  for (const key of keys) {
    const problem = templateProblem(key);
    if (problem === undefined) {
      templates.add(key);
      continue;
    }
    refusedCount++;
    if (refused.length < REFUSED_EXAMPLES) refused.push({ key: shown(key), reason: problem });
  }
  if (templates.size === 0 && refusedCount > 0) {
    const first = refused[0]!;
    return refuse(`none of its ${refusedCount} paths is a path template (${first.key} ${first.reason})`);
  }
  return {
    ok: true,
    version: version.version,
    templates: [...templates],
    serverPrefix: own.prefix,
    refusedCount,
    refused,
  };
}
