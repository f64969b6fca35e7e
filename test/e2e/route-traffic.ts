/**
 * Traffic for the route-label end-to-end test: every route of test/e2e/fixtures/routes_app.py,
 * with the values real clients send (numeric ids, user names, slugs, nested file paths, values a
 * route refuses with 422, paths no route has), shuffled by a seeded generator so that a failure
 * can be replayed.
 */
import { USER_NAMES } from '../helpers/user-names.js';

export interface RequestSpec {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/** Mulberry32: small, seeded, good enough to shuffle test traffic. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = USER_NAMES;
const SKUS = [
  'red-shirt-xl',
  'blue-mug',
  'green-hat',
  'black-jeans-32',
  'white-sneakers',
  'oak-desk',
  'steel-bottle',
  'wool-scarf',
  'linen-towel',
  'paper-notebook',
  'glass-vase',
  'clay-pot',
  'silk-tie',
  'cotton-socks',
  'leather-belt',
  'rubber-duck',
  'copper-pan',
  'bamboo-brush',
  'canvas-bag',
  'denim-jacket',
  'felt-slippers',
  'iron-kettle',
  'jade-ring',
  'maple-chair',
];
const WORDS = [
  'python',
  'fastapi',
  'banking',
  'speech',
  'llm',
  'postgres',
  'redis',
  'metrics',
  'tracing',
  'nginx',
  'docker',
  'kubernetes',
  'grafana',
  'alerts',
  'privacy',
  'storage',
  'search',
  'rag',
];
const ORGS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];
const REPOS = ['api', 'web', 'infra', 'docs', 'mobile', 'sdk', 'cli', 'data'];

export function routeTraffic(seed: number): RequestSpec[] {
  const random = seeded(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const out: RequestSpec[] = [];
  const times = (n: number, make: () => RequestSpec) => {
    for (let i = 0; i < n; i++) out.push(make());
  };

  times(20, () => ({ method: 'GET', path: '/items' }));
  times(10, () => ({ method: 'POST', path: '/items', body: { name: pick(WORDS) } }));
  times(80, () => ({ method: 'GET', path: `/items/${int(1, 900)}` }));
  times(10, () => ({ method: 'GET', path: `/items/${int(1001, 5000)}` }));
  times(10, () => ({ method: 'GET', path: `/items/${pick(SKUS)}` }));
  times(10, () => ({ method: 'PUT', path: `/items/${int(1, 900)}`, body: { name: pick(WORDS) } }));
  times(10, () => ({ method: 'DELETE', path: `/items/${int(1, 900)}` }));
  times(20, () => ({ method: 'GET', path: `/items/${int(1, 900)}/reviews` }));
  times(20, () => ({ method: 'GET', path: `/items/${int(1, 900)}/reviews/${int(1, 50)}` }));
  times(30, () => ({ method: 'GET', path: '/users/me' }));
  times(20, () => ({ method: 'GET', path: `/users/search?q=${pick(NAMES)}` }));
  times(60, () => ({ method: 'GET', path: `/users/${pick(NAMES)}` }));
  times(10, () => ({ method: 'PATCH', path: `/users/${pick(NAMES)}`, body: { bio: pick(WORDS) } }));
  times(30, () => ({ method: 'GET', path: `/users/${pick(NAMES)}/orders` }));
  times(40, () => ({ method: 'GET', path: `/users/${pick(NAMES)}/orders/${int(1, 99_999)}` }));
  times(60, () => ({ method: 'GET', path: `/products/${pick(SKUS)}` }));
  times(20, () => ({ method: 'GET', path: `/products/${pick(SKUS)}/related` }));
  times(30, () => {
    const depth = int(1, 4);
    const parts = Array.from({ length: depth }, () => pick(WORDS));
    return { method: 'GET', path: `/files/${parts.join('/')}.txt` };
  });
  times(15, () => ({ method: 'GET', path: '/reports/latest' }));
  times(30, () => ({ method: 'GET', path: `/reports/${int(2019, 2026)}/${int(1, 12)}` }));
  times(20, () => ({ method: 'GET', path: `/orgs/${pick(ORGS)}/members` }));
  times(30, () => ({
    method: 'GET',
    path: `/orgs/${pick(ORGS)}/repos/${pick(REPOS)}/issues/${int(1, 4000)}`,
  }));
  times(40, () => ({ method: 'GET', path: `/tags/${pick(WORDS)}` }));
  times(20, () => ({ method: 'GET', path: '/v1/status' }));
  times(20, () => ({ method: 'POST', path: '/pay', body: { amount: int(1, 500) } }));
  times(5, () => ({ method: 'POST', path: '/pay', body: { amount: 0 } }));
  times(5, () => ({ method: 'GET', path: '/boom' }));
  times(15, () => ({ method: 'GET', path: '/admin/stats' }));
  times(20, () => ({ method: 'GET', path: `/admin/users/${int(1, 900)}` }));
  times(10, () => ({ method: 'POST', path: `/admin/users/${int(1, 900)}/lock` }));
  times(10, () => ({ method: 'GET', path: `/nope-${int(1, 1_000_000)}` }));
  times(5, () => ({ method: 'GET', path: '/wp-login.php' }));

  // Fisher–Yates with the same generator.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Sends the requests one after the other over keep-alive connections; returns the statuses seen. */
export async function send(base: string, requests: readonly RequestSpec[]): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  for (const r of requests) {
    const res = await fetch(base + r.path, {
      method: r.method,
      ...(r.body === undefined
        ? {}
        : { body: JSON.stringify(r.body), headers: { 'content-type': 'application/json' } }),
    });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  }
  return statuses;
}

/** A template's shape: parameter names and FastAPI's convertors (`{p:path}`) left out. */
export function shapeOf(template: string): string {
  return template.replace(/\{[^}]*\}/g, '{}');
}

/** FastAPI's route path as its OpenAPI document writes it: `{file_path:path}` is `{file_path}`. */
export function documented(routePath: string): string {
  return routePath.replace(/\{([^}:]+):[^}]*\}/g, '{$1}');
}
