import type { EnvReader } from './env.js';

/** Where the backend's API description is fetched from (OPENAPI_URL). */
export type OpenApiLocation =
  /** Discovery is off: no fetch, no metrics. */
  | { readonly kind: 'off' }
  /**
   * Paths tried in turn, each requested from the backend as a client of the proxy would request
   * it (joined to UPSTREAM_URL's base path), until one serves an API description.
   */
  | { readonly kind: 'paths'; readonly paths: readonly string[] }
  /** An absolute URL, fetched as it is. */
  | { readonly kind: 'url'; readonly url: URL }
  /**
   * Several documents, each loaded and refreshed on its own, whose templates all serve: a
   * FastAPI app's mounted sub-applications each serve their own document.
   */
  | { readonly kind: 'each'; readonly locations: readonly SingleLocation[] };

/** A location of one document. */
export type SingleLocation = Extract<OpenApiLocation, { kind: 'paths' | 'url' }>;

/** OpenAPI discovery, documented in docs/CONFIGURATION.md. */
export interface OpenApiConfig {
  readonly location: OpenApiLocation;
  /** Time between two fetches of a document that loaded; 0 fetches until one loads, then never again. */
  readonly refreshMs: number;
  /** Longest wait for one fetch, from the request to the last byte. */
  readonly timeoutMs: number;
  /** Largest document accepted, in bytes after decompression. */
  readonly maxBytes: number;
  /** Most path templates one document may hold; a document with more is refused. */
  readonly maxRoutes: number;
  /** Put in front of every template: the path under which the proxy's clients reach the app. */
  readonly pathPrefix: string;
  /** Whether the path of `servers[0].url` (OpenAPI 3) or `basePath` (Swagger 2) is put in front of every template. */
  readonly serverPrefix: boolean;
  /** Heap limit of the worker that parses a document; a document that needs more is refused. */
  readonly parseMemoryMb: number;
  /** Longest time the worker may take to parse a document. */
  readonly parseTimeoutMs: number;
}

/** Defaults, documented once in docs/CONFIGURATION.md. */
export const OPENAPI_DEFAULTS = Object.freeze({
  /** Where FastAPI (and most Python and Node frameworks), springdoc, swagger-core and Swagger 2 tools serve it. */
  autoPaths: Object.freeze(['/openapi.json', '/v3/api-docs', '/swagger.json', '/openapi.yaml']),
  refreshS: 300,
  /** springdoc builds its document on the first request, which takes seconds in a large app. */
  timeoutMs: 10_000,
  /**
   * Well above the description of an API with thousands of operations and their schemas, and
   * small enough that one fetch and its parse stay a bounded, short-lived cost beside the proxy.
   */
  maxBytes: 16 * 1024 * 1024,
  maxRoutes: 10_000,
  /**
   * Enough to parse a JSON document of OPENAPI_MAX_BYTES; YAML costs far more memory per byte,
   * so a YAML document of several megabytes needs more (the refusal says so).
   */
  parseMemoryMb: 128,
  parseTimeoutMs: 60_000,
});

const PATH = /^\/[^\s?#{}]*$/;

/** One entry of OPENAPI_URL: a path on the backend or an absolute URL; undefined when neither. */
function oneLocation(value: string): OpenApiLocation | undefined {
  if (value.startsWith('/')) {
    if (value.startsWith('//') || /[\s#]/.test(value)) return undefined;
    return { kind: 'paths', paths: [value] };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return { kind: 'url', url };
}

function readLocation(r: EnvReader): OpenApiLocation {
  const name = 'OPENAPI_URL';
  const value = r.raw(name);
  const rule =
    'must be auto, off, a path on the backend starting with / (e.g. /openapi.json), an http(s) URL, or a comma-separated list of these';
  if (value === undefined || value.toLowerCase() === 'auto') {
    return { kind: 'paths', paths: OPENAPI_DEFAULTS.autoPaths };
  }
  if (value.toLowerCase() === 'off') return { kind: 'off' };
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const locations = entries.map(oneLocation);
  const bad = entries.filter((_, i) => locations[i] === undefined);
  if (bad.length > 0 || locations.length === 0) {
    r.problem(name, value, entries.length > 1 ? `${rule} (not one: ${bad.join(', ')})` : rule);
    return { kind: 'off' };
  }
  if (locations.length === 1) return locations[0]!;
  return { kind: 'each', locations: locations as SingleLocation[] };
}

function readPathPrefix(r: EnvReader): string {
  const name = 'OPENAPI_PATH_PREFIX';
  const value = r.raw(name);
  if (value === undefined) return '';
  if (!PATH.test(value) || value.startsWith('//')) {
    r.problem(name, value, 'must be a path starting with /, without spaces, ?, # or braces, e.g. /api');
    return '';
  }
  return value.replace(/\/+$/, '');
}

export function readOpenApiConfig(r: EnvReader): OpenApiConfig {
  return {
    location: readLocation(r),
    refreshMs: r.int('OPENAPI_REFRESH_S', OPENAPI_DEFAULTS.refreshS, 0, 86_400) * 1000,
    timeoutMs: r.int('OPENAPI_TIMEOUT_MS', OPENAPI_DEFAULTS.timeoutMs, 100, 600_000),
    maxBytes: r.int('OPENAPI_MAX_BYTES', OPENAPI_DEFAULTS.maxBytes, 1024, 1024 * 1024 * 1024),
    maxRoutes: r.int('OPENAPI_MAX_ROUTES', OPENAPI_DEFAULTS.maxRoutes, 1, 1_000_000),
    pathPrefix: readPathPrefix(r),
    serverPrefix: r.bool('OPENAPI_SERVER_PREFIX', true),
    parseMemoryMb: r.int('OPENAPI_PARSE_MEMORY_MB', OPENAPI_DEFAULTS.parseMemoryMb, 16, 4096),
    parseTimeoutMs: OPENAPI_DEFAULTS.parseTimeoutMs,
  };
}
