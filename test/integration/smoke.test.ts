import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrape, valueOf } from '../helpers/prometheus-text.js';
import { type RunningSidecar, startStack } from '../helpers/sidecar.js';

describe('smoke', () => {
  let stack: RunningSidecar;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('proxies and counts', async () => {
    const res = await fetch(`${stack.proxyUrl}/api/users/7`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 7 });
    const samples = await scrape(stack.adminUrl);
    expect(
      valueOf(samples, 'http_server_request_duration_seconds_count', { http_route: '/api/users/{id}' }),
    ).toBe(1);
  });
});
