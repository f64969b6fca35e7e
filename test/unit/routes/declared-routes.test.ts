import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../src/config/route-syntax.js';
import { compileRoutePattern } from '../../../src/config/routes.js';
import { DeclaredRoutes } from '../../../src/routes/declared-routes.js';

function routes(document: string[], patterns: string[] = []): DeclaredRoutes {
  const declared = new DeclaredRoutes();
  for (const p of patterns) expect(declared.add(compileRoutePattern(p), 'pattern')).toBeUndefined();
  for (const t of document) expect(declared.add(parseTemplate(t, 'openapi'), 'document')).toBeUndefined();
  return declared;
}

const match = (declared: DeclaredRoutes, path: string) => {
  const m = declared.match(path);
  return m === undefined ? undefined : `${m.route.template}${m.loose ? ' (loose)' : ''}`;
};

describe('declared routes', () => {
  it('puts concrete paths first, then the template with more literal segments', () => {
    const d = routes([
      '/users/{id}',
      '/users/me',
      '/a/{x}/{z}',
      '/{tenant}/b/c',
      '/a/b/c',
      '/{t}/users/list',
    ]);
    expect(match(d, '/users/me')).toBe('/users/me');
    expect(match(d, '/users/42')).toBe('/users/{id}');
    expect(match(d, '/a/b/c')).toBe('/a/b/c');
    expect(match(d, '/a/q/c')).toBe('/a/{x}/{z}');
    expect(match(d, '/x/b/c')).toBe('/{tenant}/b/c');
    // Two literal segments beat one, even when the one is leftmost (a tree alone would say /a/{x}/{z}).
    expect(match(d, '/a/users/list')).toBe('/{t}/users/list');
    // On equal literal segments, static before parameter from the left.
    expect(match(d, '/a/users/7')).toBe('/a/{x}/{z}');
  });

  it('matches partial-segment parameters', () => {
    const d = routes([
      '/report.{format}',
      '/v{version}/x',
      '/files/{name}.{ext}',
      '/v1/{name}:cancel',
      '/q/{id}',
    ]);
    expect(match(d, '/report.json')).toBe('/report.{format}');
    expect(match(d, '/v2/x')).toBe('/v{version}/x');
    expect(match(d, '/files/a.tar')).toBe('/files/{name}.{ext}');
    expect(match(d, '/v1/ops:cancel')).toBe('/v1/{name}:cancel');
    // A parameter takes at least one character.
    expect(match(d, '/report.')).toBeUndefined();
    expect(match(d, '/v/x')).toBeUndefined();
  });

  it('lets a final parameter take several segments only when nothing matches exactly, loosely', () => {
    const d = routes(['/files/{file_path}', '/files/{id}/raw', '/{a}/x/y']);
    expect(match(d, '/files/readme.txt')).toBe('/files/{file_path}');
    expect(match(d, '/files/7/raw')).toBe('/files/{id}/raw');
    expect(match(d, '/files/docs/x/y')).toBe('/files/{file_path} (loose)');
    expect(match(d, '/files/x/y')).toBe('/{a}/x/y');
    expect(match(d, '/files')).toBeUndefined();
  });

  it('marks templates without a literal as loose, and gives them no multi-segment match', () => {
    const d = routes(['/{a}', '/items/{id}'], ['/static/*']);
    expect(match(d, '/anything')).toBe('/{a} (loose)');
    expect(match(d, '/anything/else')).toBeUndefined();
    expect(match(d, '/items/5')).toBe('/items/{id}');
    // A rest-of-path pattern with a literal says more than a catch-all.
    expect(match(d, '/static')).toBe('/static/* (loose)');
    expect(match(d, '/static/css/site.css')).toBe('/static/* (loose)');
  });

  it('matches raw percent-encoded paths; literals compare case-sensitively', () => {
    const d = routes(['/café/{id}', '/a%20b', '/Users/{id}']);
    expect(match(d, '/caf%C3%A9/1')).toBe('/café/{id}');
    expect(match(d, '/a%20b')).toBe('/a%20b');
    expect(match(d, '/users/1')).toBeUndefined();
    expect(match(d, '/Users/caf%C3%A9')).toBe('/Users/{id}');
  });

  it('ignores one trailing slash and repeated slashes', () => {
    const d = routes(['/items/{id}', '/health']);
    expect(match(d, '/items/5/')).toBe('/items/{id}');
    expect(match(d, '//items//5')).toBe('/items/{id}');
    expect(match(d, '/health/')).toBe('/health');
  });

  it('escapes what the tree reads as syntax', () => {
    const d = routes(['/x/(y)', '/s/*', '/p/+', '/{id}abc/z']);
    expect(match(d, '/x/(y)')).toBe('/x/(y)');
    expect(match(d, '/s/*')).toBe('/s/*');
    expect(match(d, '/s/other')).toBeUndefined();
    expect(match(d, '/p/+')).toBe('/p/+');
    expect(match(d, '/5abc/z')).toBe('/{id}abc/z');
  });

  it('refuses a second template for the same paths, naming the first', () => {
    const d = routes(['/items/{item_id}']);
    expect(d.add(parseTemplate('/items/{other}', 'openapi'), 'document')).toBe(
      'matches the same paths as /items/{item_id}',
    );
    expect(d.add(parseTemplate('/items/{other}/', 'openapi'), 'document')).toMatch(/same paths/);
    expect(d.size).toBe(1);
  });
});
