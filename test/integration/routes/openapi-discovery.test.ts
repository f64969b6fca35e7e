import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { eventually, sleep } from '../../helpers/http.js';
import {
  type DocumentBackend,
  fastapiDocument,
  type RunningSource,
  startDocumentBackend,
  startSource,
} from '../../helpers/openapi.js';

/** Discovery against a real backend on port 0: where the document is found, and what each look costs. */

let backend: DocumentBackend | undefined;
let running: RunningSource | undefined;

afterEach(async () => {
  await running?.stop();
  await backend?.close();
  running = undefined;
  backend = undefined;
});

const FASTAPI_PATHS = [
  '/items/{item_id}',
  '/users/{username}/orders/{order_id}',
  '/files/{file_path}',
  '/pay',
];

describe('finding the document', () => {
  it('takes a FastAPI document from /openapi.json, and counts the load', async () => {
    backend = await startDocumentBackend();
    backend.serve('/openapi.json', { body: fastapiDocument(FASTAPI_PATHS) });
    running = startSource(backend.url);
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]).toEqual({
      templates: FASTAPI_PATHS,
      serverPrefix: '',
      source: `${backend.url}/openapi.json`,
    });
    expect(await running.loads('success')).toBe(1);
    expect(await running.gauge('sidecar_openapi_routes')).toBe(4);
    expect(await running.gauge('sidecar_openapi_last_success_timestamp_seconds')).toBeCloseTo(
      Date.now() / 1000,
      -1,
    );
    expect(running.lines()).toEqual([
      `info: OpenAPI document at ${backend.url}/openapi.json: 4 route templates (OpenAPI 3.1.0)`,
    ]);
    expect(backend.requests.map((r) => r.path)).toEqual(['/openapi.json']);
  });

  it('tries /openapi.json, /v3/api-docs, /swagger.json, /openapi.yaml in turn, then asks only where it found one', async () => {
    backend = await startDocumentBackend();
    const swagger = { swagger: '2.0', basePath: '/api/v1', paths: { '/pets/{petId}': {}, '/pets': {} } };
    backend.serve('/swagger.json', { body: JSON.stringify(swagger) });
    running = startSource(backend.url, { OPENAPI_REFRESH_S: '1' });
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]).toMatchObject({
      templates: ['/pets/{petId}', '/pets'],
      serverPrefix: '/api/v1',
    });
    expect(backend.requests.map((r) => r.path)).toEqual(['/openapi.json', '/v3/api-docs', '/swagger.json']);
    await eventually(async () => (await running!.loads('unchanged')) >= 1, 5_000);
    expect(backend.requests.map((r) => r.path).slice(3)).toEqual(['/swagger.json']);
  });

  it("reads springdoc's /v3/api-docs, whose server URL names the backend itself", async () => {
    backend = await startDocumentBackend();
    const springdoc = {
      openapi: '3.0.1',
      info: { title: 'OpenAPI definition', version: 'v0' },
      servers: [{ url: 'http://localhost:8080', description: 'Generated server url' }],
      paths: { '/api/orders/{id}': { get: {} }, '/api/orders': { get: {}, post: {} } },
    };
    backend.serve('/v3/api-docs', { body: JSON.stringify(springdoc) });
    running = startSource(backend.url);
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]!.templates).toEqual(['/api/orders/{id}', '/api/orders']);
  });

  it('reads gzipped YAML from /openapi.yaml, with its servers path', async () => {
    backend = await startDocumentBackend();
    const yaml = stringify({
      openapi: '3.0.3',
      info: { title: 'shop', version: '1' },
      servers: [{ url: '/store' }],
      paths: { '/orders/{orderId}': { get: { responses: { '200': { description: 'ok' } } } } },
    });
    backend.serve('/openapi.yaml', {
      body: gzipSync(yaml),
      headers: { 'content-type': 'application/yaml', 'content-encoding': 'gzip' },
    });
    running = startSource(backend.url);
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]).toMatchObject({ templates: ['/orders/{orderId}'], serverPrefix: '/store' });
    expect(backend.requests.at(-1)!.headers['accept-encoding']).toBe('gzip');
  });

  it('asks for a path under the base path of UPSTREAM_URL, as the proxy forwards it', async () => {
    backend = await startDocumentBackend();
    backend.serve('/svc/docs/openapi.json?v=2', { body: fastapiDocument(['/a']) });
    running = startSource(`${backend.url}/svc/`, { OPENAPI_URL: '/docs/openapi.json?v=2' });
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]!.source).toBe(`${backend.url}/svc/docs/openapi.json?v=2`);
  });

  it('fetches an absolute OPENAPI_URL from another server', async () => {
    backend = await startDocumentBackend();
    backend.serve('/spec/api.json', { body: fastapiDocument(['/elsewhere']) });
    running = startSource('http://127.0.0.1:9', { OPENAPI_URL: `${backend.url}/spec/api.json` });
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]!.templates).toEqual(['/elsewhere']);
  });

  it('does nothing with OPENAPI_URL=off: no request, no metric', async () => {
    backend = await startDocumentBackend();
    backend.serve('/openapi.json', { body: fastapiDocument(['/a']) });
    running = startSource(backend.url, { OPENAPI_URL: 'off' });
    await sleep(300);
    expect(backend.requests).toEqual([]);
    expect(running.registry.getSingleMetric('sidecar_openapi_loads_total')).toBeUndefined();
  });

  it('says once that a backend has no document, and keeps looking less and less often', async () => {
    backend = await startDocumentBackend();
    running = startSource(backend.url);
    await eventually(async () => (await running!.loads('not_found')) >= 3, 10_000);
    expect(running.lines()).toEqual([
      `info: No OpenAPI document at ${backend.url}/: /openapi.json answered 404, /v3/api-docs answered 404, /swagger.json answered 404, /openapi.yaml answered 404; no document is in force; looking again in 1 s, less often while this lasts`,
    ]);
    expect(running.deliveries).toEqual([]);
  });

  it('passes over an HTML catch-all page and a JSON page that is no API description', async () => {
    backend = await startDocumentBackend();
    backend.serve('/openapi.json', {
      body: '<!doctype html><title>app</title>',
      headers: { 'content-type': 'text/html' },
    });
    backend.serve('/v3/api-docs', { body: '{"detail":"Not Found"}' });
    backend.serve('/openapi.yaml', { body: 'openapi: 3.1.0\npaths:\n  /found/{it}: {}\n' });
    running = startSource(backend.url);
    // Two documents to parse in one look.
    await eventually(() => running!.deliveries.length === 1, 15_000).catch(() => {});
    expect(running.lines()).toEqual([
      `info: OpenAPI document at ${backend.url}/openapi.yaml: 1 route template (OpenAPI 3.1.0)`,
    ]);
    expect(running.deliveries[0]!.templates).toEqual(['/found/{it}']);
  });
});

describe('refreshing', () => {
  it('picks up a changed document and costs no parse for an unchanged one', async () => {
    backend = await startDocumentBackend();
    backend.serve('/openapi.json', { body: fastapiDocument(['/a/{id}']) });
    running = startSource(backend.url, { OPENAPI_REFRESH_S: '1' });
    await eventually(() => running!.deliveries.length === 1);
    await eventually(async () => (await running!.loads('unchanged')) >= 2, 6_000);
    expect(running.deliveries).toHaveLength(1);
    expect(running.parses()).toBe(1);

    backend.serve('/openapi.json', { body: fastapiDocument(['/a/{id}', '/b/{id}']) });
    await eventually(() => running!.deliveries.length === 2, 4_000);
    expect(running.deliveries[1]!.templates).toEqual(['/a/{id}', '/b/{id}']);
    expect(await running.loads('success')).toBe(2);
    expect(await running.gauge('sidecar_openapi_routes')).toBe(2);
    const fetches = backend.count('/openapi.json');
    const unchanged = await running.loads('unchanged');
    expect(fetches).toBe(2 + unchanged);
    expect(running.parses()).toBe(2);
    expect(running.lines()).toEqual([
      `info: OpenAPI document at ${backend.url}/openapi.json: 1 route template (OpenAPI 3.1.0)`,
      `info: OpenAPI document at ${backend.url}/openapi.json: 2 route templates (OpenAPI 3.1.0)`,
    ]);
  });

  it('asks with If-None-Match and If-Modified-Since, and takes 304 as unchanged', async () => {
    backend = await startDocumentBackend();
    const etag = '"v1"';
    const lastModified = 'Wed, 01 Jan 2025 00:00:00 GMT';
    backend.serve('/openapi.json', (req, res) => {
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304).end();
      res.writeHead(200, { etag, 'last-modified': lastModified }).end(fastapiDocument(['/a']));
    });
    running = startSource(backend.url, { OPENAPI_REFRESH_S: '1' });
    await eventually(async () => (await running!.loads('unchanged')) >= 1, 5_000);
    const [first, second] = backend.requests;
    expect(first!.headers['if-none-match']).toBeUndefined();
    expect(second!.headers).toMatchObject({ 'if-none-match': etag, 'if-modified-since': lastModified });
    expect(running.deliveries).toHaveLength(1);
    expect(running.parses()).toBe(1);
  });
});

describe('a backend that is down at start', () => {
  it('retries sooner than the refresh interval, logs the outage once, and loads when it is back', async () => {
    const probe = await startDocumentBackend();
    const port = probe.port;
    await probe.close();
    running = startSource(`http://127.0.0.1:${port}`, { OPENAPI_URL: '/openapi.json' });
    await eventually(async () => (await running!.loads('fetch_error')) >= 2, 5_000);
    backend = await startDocumentBackend(port);
    backend.serve('/openapi.json', { body: fastapiDocument(['/back']) });
    await eventually(() => running!.deliveries.length === 1, 10_000);
    expect(running.lines()).toEqual([
      `warn: OpenAPI document at http://127.0.0.1:${port}/openapi.json could not be fetched: connection refused; no document is in force; looking again in 1 s, less often while this lasts`,
      `info: OpenAPI document at http://127.0.0.1:${port}/openapi.json: 1 route template (OpenAPI 3.1.0)`,
    ]);
  });
});

describe('where a document is parsed', () => {
  const where = (r: RunningSource) =>
    r.logs.lines
      .map(
        (l) =>
          /^Parsed the OpenAPI document .* (on the main thread|in a parser process)$/.exec(
            String(l.msg),
          )?.[1],
      )
      .filter(Boolean);

  it('parses a small JSON document on the main thread, fetching it once', async () => {
    backend = await startDocumentBackend();
    backend.serve('/openapi.json', { body: fastapiDocument(FASTAPI_PATHS) });
    running = startSource(backend.url);
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]!.templates).toEqual(FASTAPI_PATHS);
    expect(where(running)).toEqual(['on the main thread']);
    // A look handed to the worker would have fetched the document again.
    expect(backend.count('/openapi.json')).toBe(1);
  });

  it('parses YAML in a parser process once, and reads it unchanged on the main thread after', async () => {
    backend = await startDocumentBackend();
    const yaml = stringify({
      openapi: '3.1.0',
      info: { title: 'shop', version: '1' },
      paths: { '/orders/{id}': {} },
    });
    backend.serve('/openapi.yaml', { body: yaml, headers: { 'content-type': 'application/yaml' } });
    running = startSource(backend.url, { OPENAPI_URL: '/openapi.yaml', OPENAPI_REFRESH_S: '1' });
    await eventually(() => running!.deliveries.length === 1);
    expect(running.deliveries[0]!.templates).toEqual(['/orders/{id}']);
    expect(backend.count('/openapi.yaml')).toBe(2);
    await eventually(async () => (await running!.loads('unchanged')) >= 2, 6_000);
    await running.stop();
    // Same bytes, no parse: each later look is one fetch, on the main thread.
    expect(where(running)).toEqual(['in a parser process']);
    expect(backend.count('/openapi.yaml')).toBe(2 + (await running.loads('unchanged')));
  });

  it('parses a JSON document over 256 KiB in a parser process, and a later small one on the main thread', async () => {
    backend = await startDocumentBackend();
    const many = Array.from({ length: 1_500 }, (_, i) => `/res${i}/{id}`);
    const large = fastapiDocument(many);
    expect(large.length).toBeGreaterThan(256 * 1024);
    backend.serve('/openapi.json', { body: large });
    running = startSource(backend.url, { OPENAPI_REFRESH_S: '1' });
    await eventually(() => running!.deliveries.length === 1, 10_000);
    expect(running.deliveries[0]!.templates).toHaveLength(1_500);
    // The main thread stopped reading at 256 KiB; the worker read the whole document.
    expect(backend.count('/openapi.json')).toBe(2);
    backend.serve('/openapi.json', { body: fastapiDocument(['/small/{id}']) });
    await eventually(() => running!.deliveries.length === 2, 6_000);
    expect(where(running)).toEqual(['in a parser process', 'on the main thread']);
  });

  it('hands a gzipped document to the worker when it passes 256 KiB once decompressed', async () => {
    backend = await startDocumentBackend();
    const many = Array.from({ length: 1_500 }, (_, i) => `/res${i}/{id}`);
    const body = gzipSync(fastapiDocument(many));
    expect(body.length).toBeLessThan(256 * 1024);
    backend.serve('/openapi.json', {
      body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    running = startSource(backend.url);
    await eventually(() => running!.deliveries.length === 1, 10_000);
    expect(running.deliveries[0]!.templates).toHaveLength(1_500);
    expect(where(running)).toEqual(['in a parser process']);
    expect(backend.count('/openapi.json')).toBe(2);
  });

  it('refuses a document over an OPENAPI_MAX_BYTES below 256 KiB on the main thread, without the worker', async () => {
    backend = await startDocumentBackend();
    backend.serve('/openapi.json', {
      body: fastapiDocument(Array.from({ length: 100 }, (_, i) => `/r${i}`)),
    });
    running = startSource(backend.url, { OPENAPI_MAX_BYTES: '2048' });
    await eventually(async () => (await running!.loads('too_large')) === 1);
    expect(backend.count('/openapi.json')).toBe(1);
    expect(running.deliveries).toEqual([]);
  });
});
