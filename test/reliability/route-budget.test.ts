import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http.js';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../helpers/sidecar.js';

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
    const overflowed = valueOf(samples, 'http_server_request_duration_seconds_count', {
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
