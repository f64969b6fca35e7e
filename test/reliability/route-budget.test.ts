import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ListeningBackend, listenOnLoopback, request } from '../helpers/http.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { type RunningSidecar, startSidecar, startStack } from '../helpers/sidecar.js';
import { runLoad, summary } from './support/load.js';

const COUNT = 'http_server_request_duration_seconds_count';

/** The route budget's own counter agrees with the histogram it protects. */
describe('route budget accounting', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack({ MAX_ROUTES: '3' });
  });
  afterAll(() => stack.close());

  it('counts each request recorded as __overflow__ once', async () => {
    for (const slug of ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']) {
      expect((await request(`${stack.proxyUrl}/api/catalog/${slug}`)).status).toBe(200);
    }
    const samples = await scrape(stack.adminUrl);
    const overflowed = valueOf(samples, COUNT, {
      http_route: '__overflow__',
    });
    expect(overflowed).toBe(5);
    expect(valueOf(samples, 'sidecar_route_overflow_total')).toBe(overflowed);
    expect(
      valueOf(samples, 'sidecar_upstream_response_headers_duration_seconds_count', {
        http_route: '__overflow__',
      }),
    ).toBe(overflowed);
  });
});

/** Statuses a scanned backend gives random paths: found, missing, refused, failing, redirected. */
const FLOOD_STATUSES = [200, 404, 404, 422, 400, 405, 500, 301, 401, 200];

/**
 * A backend with real routes and an answer for anything else: the status of a random path comes
 * from its query (`?s=`), as a catch-all backend or an auth layer in front of routing would give.
 */
function startScannedBackend(): Promise<ListeningBackend> {
  return listenOnLoopback((req, res) => {
    const url = req.url ?? '/';
    const status = /^\/(api|files|health)\b/.test(url) ? 200 : Number(/[?&]s=(\d+)/.exec(url)?.[1] ?? 404);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  });
}

const DOCUMENT = [
  '/api/items/{item_id}',
  '/api/users/me',
  '/api/users/{username}/orders/{order_id}',
  '/files/{file_path}',
  '/api/report.{format}',
];

/** Requests to the documented routes, and the template each must be labelled with. */
const REAL: ReadonlyArray<readonly [string, string]> = [
  ['/api/items/42', '/api/items/{item_id}'],
  ['/api/items/abc-def', '/api/items/{item_id}'],
  ['/api/users/me', '/api/users/me'],
  ['/api/users/alice/orders/7', '/api/users/{username}/orders/{order_id}'],
  ['/files/docs/readme.txt', '/files/{file_path}'],
  ['/api/report.csv', '/api/report.{format}'],
];

describe('a flood of random paths at mixed statuses', () => {
  const MAX_ROUTES = 20;
  let backend: Awaited<ReturnType<typeof startScannedBackend>>;
  let stack: RunningSidecar;
  beforeAll(async () => {
    backend = await startScannedBackend();
    stack = await startSidecar(backend.url, { MAX_ROUTES: String(MAX_ROUTES) });
    expect(stack.sidecar.routes.setDocumentTemplates(DOCUMENT).accepted).toBe(DOCUMENT.length);
  });
  afterAll(async () => {
    await stack.close();
    await backend.close();
  });

  const sendReal = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      for (const [path] of REAL) expect((await request(`${stack.proxyUrl}${path}`)).status).toBe(200);
    }
  };

  it('keeps every documented route exact and the number of http_route values within the budget', async () => {
    await sendReal(5);
    const random = (i: number) => ((i * 2654435761) >>> 0).toString(36);
    const tally = await runLoad(stack.proxyUrl, {
      total: 100_000,
      concurrency: 32,
      spec: (i) => {
        const status = FLOOD_STATUSES[i % FLOOD_STATUSES.length];
        const depth = 1 + (i % 4);
        const path = Array.from({ length: depth }, (_, d) => random(i * 7 + d)).join('/');
        return { path: `/${path}?s=${status}` };
      },
    });
    console.log(`flood: ${summary(tally)}`);
    expect(tally.sent).toBe(100_000);
    expect(tally.errors.size).toBe(0);
    await sendReal(5);

    const samples = await scrape(stack.adminUrl);
    const routes = new Set(samples.filter((s) => s.name === COUNT).map((s) => s.labels.http_route!));
    const perTemplate = new Map<string, number>();
    for (const [, template] of REAL) perTemplate.set(template, (perTemplate.get(template) ?? 0) + 10);
    for (const [template, sent] of perTemplate) {
      expect(valueOf(samples, COUNT, { http_route: template }), template).toBe(sent);
    }
    const reserved = ['__not_found__', '__unconfirmed__', '__overflow__'];
    const learned = [...routes].filter((r) => !reserved.includes(r) && !perTemplate.has(r));
    expect(learned.length).toBeLessThanOrEqual(MAX_ROUTES);
    expect(routes.size).toBeLessThanOrEqual(MAX_ROUTES + perTemplate.size + reserved.length);
    expect(valueOf(samples, 'sidecar_routes')).toBeLessThanOrEqual(MAX_ROUTES);
    // Each request recorded as __overflow__ is counted once as an overflow.
    expect(valueOf(samples, 'sidecar_route_overflow_total')).toBe(
      valueOf(samples, COUNT, { http_route: '__overflow__' }) || 0,
    );
    // Nothing lost: folds add a name's series to the {param} one, and nothing went idle.
    expect(valueOf(samples, COUNT)).toBe(100_000 + 10 * REAL.length);
    expect(stack.sidecar.routes.learnedNodes).toBeLessThanOrEqual(4_096);
    // At most one log line a minute about overflows and evictions, whatever the flood.
    const lines = stack.logs.lines.filter((l) => /route labels|__overflow__/.test(String(l.msg)));
    expect(lines.length).toBeLessThanOrEqual(1 + Math.ceil(tally.elapsedMs / 60_000));
    // Generous: how long 100,000 proxied requests take depends on what else the machine runs.
  }, 300_000);
});
