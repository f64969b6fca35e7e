import { describe, expect, it } from 'vitest';
import { compileRoutePattern } from '../../../src/config/routes.js';
import {
  MAX_DOCUMENT_TEMPLATES,
  ROUTE_NOT_FOUND,
  ROUTE_OVERFLOW,
  ROUTE_UNCONFIRMED,
  RouteLabeler,
} from '../../../src/routes/index.js';
import { captureLogs } from '../../helpers/sidecar.js';
import { USER_NAMES } from '../../helpers/user-names.js';

function labeler(options: { maxRoutes?: number; idleEvictMs?: number; patterns?: string[] } = {}) {
  let now = 1_000_000;
  const evicted: string[] = [];
  const overflowed: string[] = [];
  const { logger, logs } = captureLogs('info');
  const routes = new RouteLabeler({
    patterns: (options.patterns ?? []).map(compileRoutePattern),
    maxRoutes: options.maxRoutes ?? 200,
    idleEvictMs: options.idleEvictMs ?? 600_000,
    onEvict: (label, reason, into) => evicted.push(`${reason} ${label}${into ? ` → ${into}` : ''}`),
    onOverflow: (template) => overflowed.push(template),
    clock: () => now,
    logger,
  });
  const label = (target: string, status: number | undefined) => routes.label(routes.template(target), status);
  return {
    routes,
    label,
    evicted,
    overflowed,
    logs,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('route labels', () => {
  it('never mints a label from 400, 404, 405, 422 or no answer', () => {
    const { routes, label } = labeler();
    expect(label('/wp-login.php', 404)).toBe(ROUTE_NOT_FOUND);
    expect(label('/api/items/abc', 422)).toBe(ROUTE_UNCONFIRMED);
    expect(label('/api/items/abc', 400)).toBe(ROUTE_UNCONFIRMED);
    expect(label('/api/pay', 405)).toBe(ROUTE_NOT_FOUND);
    expect(label('/api/users/1', undefined)).toBe(ROUTE_UNCONFIRMED);
    expect(routes.size).toBe(0);
    expect(label('/api/users/1', 200)).toBe('/api/users/{id}');
    // Once confirmed, the route keeps its label whatever the backend says (a missing user is a 404).
    expect(label('/api/users/999', 404)).toBe('/api/users/{id}');
    expect(label('/api/users/3', 422)).toBe('/api/users/{id}');
    expect(label('/api/users/3', undefined)).toBe('/api/users/{id}');
    expect(label('/api/pay', 401)).toBe('/api/pay');
    expect(routes.size).toBe(2);
  });

  it('gives a bad value refused with 400 or 422 the confirmed route for values beside it', () => {
    const { routes, label } = labeler();
    expect(label('/api/items/red-shirt', 422)).toBe(ROUTE_UNCONFIRMED);
    expect(label('/api/items/42', 200)).toBe('/api/items/{id}');
    // FastAPI's answer to a value its `item_id: int` refuses: the route is /api/items/{id}.
    expect(label('/api/items/red-shirt', 422)).toBe('/api/items/{id}');
    expect(label('/api/items/blue-mug', 400)).toBe('/api/items/{id}');
    expect(label('/api/items/red-shirt/reviews', 422)).toBe(ROUTE_UNCONFIRMED);
    // Not found is not a bad value: no route answered.
    expect(label('/api/items/red-shirt', 404)).toBe(ROUTE_NOT_FOUND);
    expect(routes.size).toBe(1);
  });

  it('labels document templates verbatim whatever the status, loose matches excepted', () => {
    const { routes, label } = labeler({ patterns: ['/static/*'] });
    const result = routes.setDocumentTemplates(['/items/{item_id}', '/files/{file_path}', '/{slug}']);
    expect(result).toEqual({ accepted: 3, refused: [] });
    expect(label('/items/5', 404)).toBe('/items/{item_id}');
    expect(label('/items/5', undefined)).toBe('/items/{item_id}');
    expect(label('/files/a/b.png', 200)).toBe('/files/{file_path}');
    expect(label('/files/a/b.png', 404)).toBe(ROUTE_NOT_FOUND);
    expect(label('/wp-login.php', 200)).toBe('/{slug}');
    expect(label('/wp-login.php', 405)).toBe(ROUTE_NOT_FOUND);
    expect(label('/static/x.css', 404)).toBe(ROUTE_NOT_FOUND);
    expect(label('/static/x.css', 200)).toBe('/static/*');
    expect(routes.template('/items/5')).toMatchObject({
      template: '/items/{item_id}',
      declared: true,
      source: 'document',
    });
    expect(routes.template('/static/x')).toMatchObject({ declared: true, source: 'pattern' });
    expect(routes.size).toBe(0);
  });

  it('swaps document templates at once; ROUTE_PATTERNS win over the document', () => {
    const { routes, label } = labeler({ patterns: ['/api/users/:id'] });
    routes.setDocumentTemplates(['/api/items/{item_id}', '/api/users/{user_id}']);
    expect(label('/api/items/1', 200)).toBe('/api/items/{item_id}');
    expect(label('/api/users/1', 200)).toBe('/api/users/{id}');
    routes.setDocumentTemplates(['/api/items/{id}/v2']);
    expect(label('/api/items/1', 200)).toBe('/api/items/{id}');
    expect(routes.template('/api/items/1').source).toBe('learned');
    expect(label('/api/items/1/v2', 200)).toBe('/api/items/{id}/v2');
    expect(routes.template('/api/items/1/v2').source).toBe('document');
    expect(routes.documentSize).toBe(1);
  });

  it('refuses hostile templates with reasons and caps their number', () => {
    const { routes, label } = labeler();
    const hostile = [
      'relative',
      '/a/{',
      '/a/{x}{y}',
      '/a/../b',
      '/x?y',
      `/${'a/'.repeat(40)}`,
      '/ok/{id}',
      '/ok/{other}',
    ];
    const many = Array.from({ length: 10_000 }, (_, i) => `/generated/r${i}/{id}`);
    const started = performance.now();
    const result = routes.setDocumentTemplates([...hostile, ...many, 42 as unknown as string]);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.accepted).toBe(MAX_DOCUMENT_TEMPLATES);
    const reasons = new Map(result.refused.map((r) => [r.template, r.reason]));
    expect(reasons.get('relative')).toMatch(/must start with \//);
    expect(reasons.get('/a/{')).toMatch(/segment "\{" has a \{ without its \}/);
    expect(reasons.get('/a/{x}{y}')).toMatch(/side by side/);
    expect(reasons.get('/a/../b')).toMatch(/dot segment/);
    expect(reasons.get('/x?y')).toMatch(/no query/);
    expect(reasons.get('/ok/{other}')).toBe('matches the same paths as /ok/{id}');
    expect(reasons.get('/generated/r9999/{id}')).toMatch(/after the first 5000 templates/);
    expect(reasons.get('42')).toBe('is not a string');
    expect(label('/generated/r17/5', 200)).toBe('/generated/r17/{id}');
    expect(label('/ok/5', 200)).toBe('/ok/{id}');
  });

  it('never holds more than MAX_ROUTES learned labels, counting and logging overflows at a bounded rate', () => {
    const { routes, label, overflowed, logs, advance } = labeler({
      maxRoutes: 5,
      patterns: ['/declared/:x'],
    });
    routes.setDocumentTemplates(['/documented/{id}']);
    const labels = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const status = [200, 404, 422, 500, 301][i % 5];
      labels.add(label(`/r${i % 50}x/items${i % 7}`, status));
      if (i % 1_000 === 0) advance(100);
    }
    expect(routes.size).toBe(5);
    expect(labels.has(ROUTE_OVERFLOW)).toBe(true);
    const learned = [...labels].filter((l) => !l.startsWith('__'));
    expect(learned.length).toBeLessThanOrEqual(5);
    expect(overflowed.length).toBeGreaterThan(0);
    expect(label('/declared/1', 500)).toBe('/declared/{x}');
    expect(label('/documented/1', 404)).toBe('/documented/{id}');
    // 10 s of overflows: one line at the first, the rest counted into the next one.
    const lines = () => logs.lines.filter((l) => String(l.msg).includes('__overflow__'));
    expect(lines().length).toBe(1);
    advance(60_000);
    label('/another/route', 200);
    expect(lines().length).toBe(2);
    expect(lines()[1]!.overflowed).toBeGreaterThan(1);
  });

  it('gives back the place of a learned label unseen for the idle time', () => {
    const { routes, label, evicted, advance } = labeler({ maxRoutes: 2, idleEvictMs: 60_000 });
    expect(label('/old', 200)).toBe('/old');
    advance(30_000);
    expect(label('/busy', 200)).toBe('/busy');
    expect(label('/new', 200)).toBe(ROUTE_OVERFLOW);
    advance(31_000);
    label('/busy', 200);
    routes.sweep();
    expect(evicted).toEqual(['idle /old']);
    expect(label('/new', 200)).toBe('/new');
    expect(routes.size).toBe(2);
    // An idle label is swept from label() too, without a timer.
    advance(61_000);
    label('/new', 200);
    expect(evicted).toEqual(['idle /old', 'idle /busy']);
    expect(routes.size).toBe(1);
  });

  it('folds the labels of user names into the {param} label once their position becomes one', () => {
    const { routes, label, evicted } = labeler();
    for (let round = 0; round < 4; round++) {
      for (const name of USER_NAMES.slice(0, 10)) {
        label('/users/me', 200);
        label(`/users/${name}/orders/${round}`, 200);
      }
    }
    expect(label('/users/zed/orders/1', 200)).toBe('/users/{param}/orders/{id}');
    expect(label('/users/me', 200)).toBe('/users/me');
    // Each label minted under a folded name hands its place and its series to the {param} label.
    expect(evicted).toContain('folded /users/alice/orders/{id} → /users/{param}/orders/{id}');
    expect(routes.size).toBe(2);
    // A cached match from before the fold is not reused.
    expect(routes.template('/users/alice/orders/1').template).toBe('/users/{param}/orders/{id}');
  });

  it('a failing callback does not break the request', () => {
    const routes = new RouteLabeler({
      patterns: [],
      maxRoutes: 1,
      idleEvictMs: 0,
      onEvict: () => {},
      onOverflow: () => {
        throw new Error('boom');
      },
    });
    routes.label(routes.template('/a'), 200);
    expect(routes.label(routes.template('/b'), 200)).toBe(ROUTE_OVERFLOW);
  });
});

describe('document templates behind path prefixes', () => {
  it("labels with the document's own templates, whether a proxy in front kept the servers path or not", () => {
    const { routes, label } = labeler();
    // A FastAPI app served under root_path /svc, with a sub-application mounted at /admin.
    const result = routes.setDocuments(
      [
        { templates: ['/items/{item_id}', '/users/{username}', '/stats'], serverPrefix: '/svc' },
        { templates: ['/stats', '/users/{user_id}'], serverPrefix: '/svc/admin' },
      ],
      '',
    );
    expect(result).toEqual({ accepted: 5, refused: [] });
    expect(label('/svc/items/3', 200)).toBe('/items/{item_id}');
    expect(label('/items/3', 200)).toBe('/items/{item_id}');
    expect(label('/svc/admin/users/7', 200)).toBe('/users/{user_id}');
    expect(label('/admin/users/7', 200)).toBe('/users/{user_id}');
    // The main application's template holds its shape: the sub-application's one with its
    // whole prefix taken off comes later and is left out.
    expect(label('/users/7', 200)).toBe('/users/{username}');
    expect(label('/admin/stats', 200)).toBe('/stats');
  });

  it('puts OPENAPI_PATH_PREFIX in front of every template', () => {
    const { routes, label } = labeler();
    routes.setDocuments([{ templates: ['/items/{item_id}'], serverPrefix: '' }], '/shop');
    expect(label('/shop/items/3', 200)).toBe('/items/{item_id}');
    expect(label('/items/3', 404)).toBe(ROUTE_NOT_FOUND);
  });

  it("refuses a document's template once, not once per prefix", () => {
    const { routes } = labeler();
    const result = routes.setDocuments([{ templates: ['/a/{', '/b'], serverPrefix: '/x/y' }], '');
    expect(result.accepted).toBe(1);
    expect(result.refused.map((r) => r.template)).toEqual(['/a/{']);
  });
});
