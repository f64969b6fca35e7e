import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListeningBackend, listenOnLoopback, request } from '../../helpers/http.js';
import { scrape, valueOf } from '../../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar } from '../../helpers/sidecar.js';
import { USER_NAMES } from '../../helpers/user-names.js';

const COUNT = 'http_server_request_duration_seconds_count';

/** An Express backend without an OpenAPI document: literal routes beside user names and slugs. */
function startExpress(): Promise<ListeningBackend> {
  const app = express();
  app.get('/users/me', (_req, res) => void res.json({ me: true }));
  app.get('/users/search', (_req, res) => void res.json({ results: [] }));
  app.get('/users/:name', (req, res) => void res.json({ name: req.params.name }));
  app.get('/users/:name/orders/:id', (req, res) => void res.json({ order: req.params.id }));
  app.get('/products/:slug', (req, res) => void res.json({ slug: req.params.slug }));
  app.get('/items/:id', (req, res) => {
    if (!/^\d+$/.test(req.params.id)) return void res.status(422).json({ detail: 'not an int' });
    res.json({ id: req.params.id });
  });
  return listenOnLoopback(app);
}

const NAMES = [...USER_NAMES.slice(0, 11), 'oscar'];
const COLORS = ['red', 'blue', 'green', 'black', 'white', 'pink'];
const ITEMS = ['shirt', 'mug', 'cap', 'sock', 'scarf', 'bag'];

function routesOf(samples: Awaited<ReturnType<typeof scrape>>): Set<string> {
  return new Set(samples.filter((s) => s.name === COUNT).map((s) => s.labels.http_route!));
}

describe('learned route labels on an Express backend without a document', () => {
  let backend: Awaited<ReturnType<typeof startExpress>>;
  let stack: RunningSidecar;
  beforeAll(async () => {
    backend = await startExpress();
    stack = await startSidecar(backend.url, { ROUTE_IDLE_EVICT_S: '600' });
  });
  afterAll(async () => {
    await stack.close();
    await backend.close();
  });

  it('folds user names and slugs into {param}, keeps the real literals, mints no slug series', async () => {
    const get = async (path: string) => (await request(`${stack.proxyUrl}${path}`)).status;
    let me = 0;
    for (let round = 0; round < 8; round++) {
      for (const [i, name] of NAMES.entries()) {
        expect(await get('/users/me')).toBe(200);
        me++;
        expect(await get('/users/search')).toBe(200);
        expect(await get(`/users/${name}/orders/${round * 100 + i}`)).toBe(200);
        expect(await get(`/users/${name}`)).toBe(200);
        expect(
          await get(`/products/${COLORS[(round + i) % 6]}-${ITEMS[i % 6]}-${NAMES[(round * 5 + i) % 12]}`),
        ).toBe(200);
      }
    }
    // A 422 for a bad value and a 404 mint nothing.
    expect(await get('/items/abc')).toBe(422);
    expect(await get('/nowhere/at/all')).toBe(404);
    expect(await get('/items/42')).toBe(200);

    const samples = await scrape(stack.adminUrl);
    const routes = routesOf(samples);
    expect(routes.has('/users/{param}/orders/{id}')).toBe(true);
    expect(routes.has('/users/{param}')).toBe(true);
    expect(routes.has('/products/{param}')).toBe(true);
    expect(routes.has('/items/{id}')).toBe(true);
    expect(routes.has('/items/abc')).toBe(false);
    // No series left for a name or a slug: those minted before the fold were given back.
    const named = [...routes].filter(
      (r) => NAMES.some((n) => r.includes(n)) || COLORS.some((c) => r.includes(c)),
    );
    expect(named).toEqual([]);
    // The real literals kept their label, and every request to them is counted.
    expect(valueOf(samples, COUNT, { http_route: '/users/me' })).toBe(me);
    expect(valueOf(samples, COUNT, { http_route: '/users/search' })).toBe(me);
    // Nothing lost in the folds: the series of names and slugs were added to the {param} ones.
    expect(valueOf(samples, COUNT)).toBe(NAMES.length * 8 * 5 + 3);
    expect(valueOf(samples, COUNT, { http_route: '/users/{param}/orders/{id}' })).toBe(NAMES.length * 8);
    expect(valueOf(samples, COUNT, { http_route: '/users/{param}' })).toBe(NAMES.length * 8);
    expect(valueOf(samples, COUNT, { http_route: '/products/{param}' })).toBe(NAMES.length * 8);
    expect(valueOf(samples, COUNT, { http_route: '__unconfirmed__' })).toBe(1);
    expect(valueOf(samples, COUNT, { http_route: '__not_found__' })).toBe(1);
    expect(valueOf(samples, 'sidecar_route_evictions_total', { reason: 'folded' })).toBeGreaterThan(0);
    expect(valueOf(samples, 'sidecar_routes')).toBe(stack.sidecar.routes.size);
  });

  it('gives an idle learned route back and removes its series from /metrics', async () => {
    expect((await request(`${stack.proxyUrl}/items/7`)).status).toBe(200);
    let samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, COUNT, { http_route: '/items/{id}' })).toBeGreaterThan(0);
    const before = stack.sidecar.routes.size;
    // As if nothing came for longer than ROUTE_IDLE_EVICT_S: every learned route goes.
    stack.sidecar.routes.sweep(Date.now() + 601_000);
    samples = await scrape(stack.adminUrl);
    expect([...routesOf(samples)].filter((r) => !r.startsWith('__'))).toEqual([]);
    expect(samples.some((s) => s.labels.http_route === '/items/{id}')).toBe(false);
    expect(valueOf(samples, 'sidecar_route_evictions_total', { reason: 'idle' })).toBe(before);
    expect(valueOf(samples, 'sidecar_routes')).toBe(0);
    // The route comes back with a fresh series on its next request.
    expect((await request(`${stack.proxyUrl}/items/8`)).status).toBe(200);
    samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, COUNT, { http_route: '/items/{id}' })).toBe(1);
  });
});

describe('document templates handed to the sidecar', () => {
  let backend: Awaited<ReturnType<typeof startExpress>>;
  let stack: RunningSidecar;
  beforeAll(async () => {
    backend = await startExpress();
    stack = await startSidecar(backend.url, { MAX_ROUTES: '2' });
  });
  afterAll(async () => {
    await stack.close();
    await backend.close();
  });

  it('labels requests with the templates verbatim, outside MAX_ROUTES', async () => {
    const result = stack.sidecar.routes.setDocumentTemplates([
      '/users/me',
      '/users/{username}',
      '/users/{username}/orders/{order_id}',
      '/products/{sku}',
      '/items/{item_id}',
      '/items/{id}',
    ]);
    expect(result.accepted).toBe(5);
    expect(result.refused).toEqual([
      { template: '/items/{id}', reason: 'matches the same paths as /items/{item_id}' },
    ]);
    for (const name of NAMES) {
      await request(`${stack.proxyUrl}/users/${name}/orders/1`);
      await request(`${stack.proxyUrl}/products/${name}-mug`);
    }
    await request(`${stack.proxyUrl}/users/me`);
    await request(`${stack.proxyUrl}/items/abc`); // 422: a real route answering a bad value
    await request(`${stack.proxyUrl}/products/a/b`); // several segments, the backend's 404
    const samples = await scrape(stack.adminUrl);
    expect(valueOf(samples, COUNT, { http_route: '/users/{username}/orders/{order_id}' })).toBe(NAMES.length);
    expect(valueOf(samples, COUNT, { http_route: '/products/{sku}' })).toBe(NAMES.length);
    expect(valueOf(samples, COUNT, { http_route: '/users/me' })).toBe(1);
    expect(
      valueOf(samples, COUNT, { http_route: '/items/{item_id}', http_response_status_code: '422' }),
    ).toBe(1);
    expect(valueOf(samples, COUNT, { http_route: '__not_found__' })).toBe(1);
    expect(valueOf(samples, 'sidecar_routes')).toBe(0);
  });
});
