import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../src/config/route-syntax.js';
import { compileRoutePattern, matchesRoutePattern } from '../../../src/config/routes.js';

describe('route template syntax', () => {
  it('reads OpenAPI templates: whole and partial parameters, everything else literal', () => {
    expect(parseTemplate('/items/{item_id}', 'openapi')).toEqual({
      template: '/items/{item_id}',
      segments: [['items'], [{ param: 'item_id' }]],
      rest: false,
      literalSegments: 1,
    });
    expect(parseTemplate('/report.{format}', 'openapi').segments).toEqual([['report.', { param: 'format' }]]);
    expect(parseTemplate('/v{version}/x', 'openapi').segments).toEqual([['v', { param: 'version' }], ['x']]);
    // `:` and `*` are literal in OpenAPI (Google-style custom methods).
    expect(parseTemplate('/v1/{name}:cancel', 'openapi').segments).toEqual([
      ['v1'],
      [{ param: 'name' }, ':cancel'],
    ]);
    expect(parseTemplate('/:x/*', 'openapi')).toMatchObject({ rest: false, literalSegments: 2 });
    expect(parseTemplate('/', 'openapi')).toMatchObject({ template: '/', segments: [] });
  });

  it('reads ROUTE_PATTERNS: {name}, {name:path}, :name, * and Starlette converters', () => {
    expect(compileRoutePattern('/api/users/:id')).toMatchObject({
      template: '/api/users/{id}',
      segments: [['api'], ['users'], [{ param: 'id' }]],
    });
    expect(compileRoutePattern('/files/{file_path:path}')).toMatchObject({
      template: '/files/{file_path:path}',
      segments: [['files']],
      rest: true,
    });
    expect(compileRoutePattern('/static/*')).toMatchObject({ template: '/static/*', rest: true });
    expect(compileRoutePattern('/items/{id:int}').segments).toEqual([['items'], [{ param: 'id' }]]);
    expect(compileRoutePattern('/api/users/')).toMatchObject({ template: '/api/users' });
  });

  it.each([
    ['api/users', /must start with \//],
    ['/api/users?x=1', /no query or fragment/],
    ['/a b', /no spaces/],
    ['/api//users', /no empty segment/],
    ['/items/{sku', /segment "\{sku" has a \{ without its \}/],
    ['/items/sku}', /segment "sku\}" has a \} without its \{/],
    ['/items/{}', /segment "\{\}" has a parameter without a name/],
    ['/x/{a}{b}', /segment "\{a\}\{b\}" has two parameters side by side/],
    ['/api/*/users', /segment "\*" follows a rest of the path|segment "users" follows a rest/],
    ['/api/a*b', /segment "a\*b" has a \* that is not a whole final segment/],
    ['/files/{p:path}/raw', /segment "raw" follows a rest of the path/],
    ['/files/x{p:path}', /must be a whole segment/],
    ['/items/{id:hex}', /unknown converter "hex"/],
    ['/a/../b', /dot segment/],
    [`/${'a'.repeat(1100)}`, /at most 1024 characters/],
    [`/${Array.from({ length: 40 }, () => 'a').join('/')}`, /at most 32 segments/],
  ])('refuses %s with the bad segment named', (source, message) => {
    expect(() => compileRoutePattern(source)).toThrow(message);
  });

  it('matches templates against patterns for the Sentry route settings', () => {
    const seg = (t: string) => t.split('/').filter(Boolean);
    expect(matchesRoutePattern(compileRoutePattern('/api/users/:id'), seg('/api/users/{id}'))).toBe(true);
    expect(matchesRoutePattern(compileRoutePattern('/docs/*'), seg('/docs/a/b'))).toBe(true);
    expect(matchesRoutePattern(compileRoutePattern('/docs/*'), seg('/api'))).toBe(false);
    expect(matchesRoutePattern(compileRoutePattern('/r/report.{f}'), seg('/r/report.json'))).toBe(true);
    expect(matchesRoutePattern(compileRoutePattern('/r/report.{f}'), seg('/r/summary.json'))).toBe(false);
  });
});
