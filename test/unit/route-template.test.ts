import { describe, expect, it } from 'vitest';
import { compileRoutePattern } from '../../src/config/route-pattern.js';
import {
  ROUTE_NOT_FOUND,
  ROUTE_OVERFLOW,
  ROUTE_UNCONFIRMED,
  RouteBudget,
} from '../../src/http-metrics/route-budget.js';
import { isValueSegment, templateRoute } from '../../src/http-metrics/route-template.js';

const t = (path: string, patterns: string[] = []) =>
  templateRoute(path, patterns.map(compileRoutePattern)).template;

describe('templateRoute', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['/api/users', '/api/users'],
    ['/api/users/', '/api/users'],
    ['//api//users', '/api/users'],
    ['/api/users/42', '/api/users/:id'],
    ['/api/users/-7', '/api/users/:id'],
    ['/api/users/42/orders/7f9c2ab4e1d3', '/api/users/:id/orders/:id'],
    ['/api/v1/items/123e4567-e89b-12d3-a456-426614174000', '/api/v1/items/:id'],
    ['/api/v2/items/123e4567e89b12d3a456426614174000', '/api/v2/items/:id'],
    ['/api/reports/2024-05-31', '/api/reports/:id'],
    ['/api/reports/2024-05-31T10:20:30Z', '/api/reports/:id'],
    ['/api/users/jane.doe@example.com/profile', '/api/users/:id/profile'],
    ['/api/users/jane.doe%40example.com/profile', '/api/users/:id/profile'],
    [
      '/api/session/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      '/api/session/:id',
    ],
    ['/api/orders/ORD8F7A6B5C', '/api/orders/:id'],
    ['/api/files/aGVsbG8gd29ybGQgdGhpcyBpcyBhIHRva2Vu9', '/api/files/:id'],
    ['/api/search/hello%20world', '/api/search/:id'],
    ['/static/main.a1b2c3d4.js', '/static/:id'],
    ['/api/users/42?password=secret&email=a@b.c', '/api/users/:id'],
    ['/api/users/42#frag', '/api/users/:id'],
    ['http://evil.example/api/users/5', '/api/users/:id'],
    ['*', '/'],
    ['/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o', '/a/b/c/d/e/f/g/h/i/j/k/l/*'],
  ])('%s → %s', (path, expected) => {
    expect(t(path)).toBe(expected);
  });

  it('keeps ordinary route words', () => {
    for (const word of [
      'api',
      'v1',
      'v2',
      'users',
      'health',
      'docs',
      'openapi.json',
      'oauth2',
      'speech-to-text',
      'rag_pipeline',
    ]) {
      expect(isValueSegment(word)).toBe(false);
    }
  });

  it('operator patterns match first, with :params and a trailing *', () => {
    const patterns = ['/api/accounts/:account/transactions', '/static/*', '/api/users/me'];
    expect(t('/api/accounts/ACC-1/transactions', patterns)).toBe('/api/accounts/:account/transactions');
    expect(t('/static/css/site.css', patterns)).toBe('/static/*');
    expect(t('/static', patterns)).toBe('/static/*');
    expect(t('/api/users/me', patterns)).toBe('/api/users/me');
    expect(t('/api/accounts/ACC-1/transactions/9', patterns)).toBe('/api/accounts/ACC-1/transactions/:id');
    expect(templateRoute('/static/x', [compileRoutePattern('/static/*')]).declared).toBe(true);
  });

  it('rejects malformed patterns with the reason', () => {
    expect(() => compileRoutePattern('api/users')).toThrow(/must start with \//);
    expect(() => compileRoutePattern('/api/*/users')).toThrow(/neither a literal nor :name/);
    expect(() => compileRoutePattern('/api/users?x=1')).toThrow(/no query/);
  });
});

describe('RouteBudget', () => {
  it('admits a template only on a non-404 backend answer', () => {
    let overflows = 0;
    const budget = new RouteBudget([], 3, () => overflows++);
    const route = budget.template('/wp-login.php');
    expect(budget.label(route, 404)).toBe(ROUTE_NOT_FOUND);
    expect(budget.label(route, undefined)).toBe(ROUTE_UNCONFIRMED);
    expect(budget.size).toBe(0);
    const user = budget.template('/api/users/1');
    expect(budget.label(user, 200)).toBe('/api/users/:id');
    // once admitted, a 404 (a missing user) keeps the route's label
    expect(budget.label(budget.template('/api/users/999'), 404)).toBe('/api/users/:id');
    expect(budget.label(budget.template('/api/users/3'), undefined)).toBe('/api/users/:id');
    expect(overflows).toBe(0);
  });

  it('never exceeds MAX_ROUTES and counts what overflows', () => {
    let overflows = 0;
    const budget = new RouteBudget([compileRoutePattern('/declared/:x')], 5, () => overflows++);
    const labels = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      labels.add(budget.label(budget.template(`/r${i % 50}x/items`), 200));
    }
    expect(budget.size).toBe(5);
    expect(labels.has(ROUTE_OVERFLOW)).toBe(true);
    expect(labels.size).toBe(5);
    // four templates fit beside the declared one; each of the 50 shapes comes 2,000 times
    expect(overflows).toBe(100_000 - 4 * 2_000);
    expect(budget.label(budget.template('/declared/1'), 500)).toBe('/declared/:x');
  });
});
