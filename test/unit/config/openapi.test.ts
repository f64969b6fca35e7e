import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { OPENAPI_DEFAULTS } from '../../../src/config/openapi.js';

const base = { UPSTREAM_URL: 'http://127.0.0.1:8000' };
const openapi = (env: Record<string, string>) => loadConfig({ ...base, ...env }).openapi;

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.rule}`);
    throw error;
  }
  return [];
}

describe('OpenAPI discovery configuration', () => {
  it('defaults to trying the usual document paths, every five minutes, within bounded limits', () => {
    expect(openapi({})).toEqual({
      location: { kind: 'paths', paths: ['/openapi.json', '/v3/api-docs', '/swagger.json', '/openapi.yaml'] },
      refreshMs: 300_000,
      timeoutMs: 10_000,
      maxBytes: 16 * 1024 * 1024,
      maxRoutes: 10_000,
      pathPrefix: '',
      serverPrefix: true,
      parseMemoryMb: 128,
      parseTimeoutMs: OPENAPI_DEFAULTS.parseTimeoutMs,
    });
    expect(openapi({ OPENAPI_URL: 'AUTO' }).location).toEqual(openapi({}).location);
  });

  it('takes off, a path on the backend or an absolute URL', () => {
    expect(openapi({ OPENAPI_URL: 'off' }).location).toEqual({ kind: 'off' });
    expect(openapi({ OPENAPI_URL: '/api/openapi.json?format=json' }).location).toEqual({
      kind: 'paths',
      paths: ['/api/openapi.json?format=json'],
    });
    const absolute = openapi({ OPENAPI_URL: 'https://docs.internal:8443/v3/api-docs' }).location;
    expect(absolute.kind === 'url' && absolute.url.href).toBe('https://docs.internal:8443/v3/api-docs');
  });

  it('reads a comma-separated list as several documents, each loaded on its own', () => {
    const each = openapi({
      OPENAPI_URL: '/openapi.json, /admin/openapi.json,http://docs:8080/x.yaml',
    }).location;
    expect(each.kind).toBe('each');
    expect(each.kind === 'each' && each.locations).toEqual([
      { kind: 'paths', paths: ['/openapi.json'] },
      { kind: 'paths', paths: ['/admin/openapi.json'] },
      { kind: 'url', url: new URL('http://docs:8080/x.yaml') },
    ]);
  });

  it('names the variable and the rule for every bad value, all at once', () => {
    const rule =
      'must be auto, off, a path on the backend starting with / (e.g. /openapi.json), an http(s) URL, or a comma-separated list of these';
    for (const bad of ['openapi.json', 'ftp://host/openapi.json', '//evil.example/openapi.json', '/a b']) {
      expect(problems({ OPENAPI_URL: bad })).toEqual([`OPENAPI_URL: ${rule}`]);
    }
    expect(problems({ OPENAPI_URL: '/openapi.json, admin.json' })).toEqual([
      `OPENAPI_URL: ${rule} (not one: admin.json)`,
    ]);
    expect(
      problems({
        OPENAPI_REFRESH_S: '-1',
        OPENAPI_TIMEOUT_MS: '5',
        OPENAPI_MAX_BYTES: '12kb',
        OPENAPI_MAX_ROUTES: '0',
        OPENAPI_PATH_PREFIX: 'api',
        OPENAPI_SERVER_PREFIX: 'maybe',
        OPENAPI_PARSE_MEMORY_MB: '8',
      }),
    ).toEqual([
      'OPENAPI_REFRESH_S: must be an integer from 0 to 86400',
      'OPENAPI_TIMEOUT_MS: must be an integer from 100 to 600000',
      'OPENAPI_MAX_BYTES: must be an integer from 1024 to 1073741824',
      'OPENAPI_MAX_ROUTES: must be an integer from 1 to 1000000',
      'OPENAPI_PATH_PREFIX: must be a path starting with /, without spaces, ?, # or braces, e.g. /api',
      'OPENAPI_SERVER_PREFIX: must be true or false (also accepted: 1/0, yes/no, on/off)',
      'OPENAPI_PARSE_MEMORY_MB: must be an integer from 16 to 4096',
    ]);
  });

  it('keeps a path prefix without its trailing slash, and / as no prefix at all', () => {
    expect(openapi({ OPENAPI_PATH_PREFIX: '/shop/' }).pathPrefix).toBe('/shop');
    expect(openapi({ OPENAPI_PATH_PREFIX: '/' }).pathPrefix).toBe('');
    for (const bad of ['/a?b', '/{tenant}', '//x']) {
      expect(problems({ OPENAPI_PATH_PREFIX: bad })).toHaveLength(1);
    }
  });

  it('reads seconds for the refresh, and 0 as "until one document loaded"', () => {
    expect(openapi({ OPENAPI_REFRESH_S: '30' }).refreshMs).toBe(30_000);
    expect(openapi({ OPENAPI_REFRESH_S: '0' }).refreshMs).toBe(0);
  });
});
