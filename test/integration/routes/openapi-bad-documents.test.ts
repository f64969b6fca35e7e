import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sleep } from '../../helpers/http.js';
import {
  type DocumentBackend,
  fastapiDocument,
  type Route,
  type RunningSource,
  startDocumentBackend,
  startSource,
} from '../../helpers/openapi.js';

/**
 * One sidecar's OpenAPI source meets a series of bad documents after a good one: each is refused
 * with a log line that names the URL and the reason, counted by outcome, and the good document's
 * templates stay in force throughout.
 */

const MAX_BYTES = 4 * 1024 * 1024;
const GOOD = ['/items/{item_id}', '/users/{username}'];

const json = (value: unknown): Route => ({ body: JSON.stringify(value) });
const openapi = (more: Record<string, unknown>) => json({ openapi: '3.1.0', info: {}, ...more });

function aliasBomb(): string {
  const lines = ['openapi: 3.1.0', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < 10; i++) {
    lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  }
  return [...lines, 'paths:', '  /a: {}'].join('\n');
}

/** Each bad document, its outcome and the reason the log line must give. */
const CORPUS: Array<[name: string, route: Route, outcome: string, reason: string]> = [
  ['a missing document', { status: 404, body: '{}' }, 'not_found', 'answered 404'],
  ['a server error', { status: 500, body: 'boom' }, 'fetch_error', 'answered 500'],
  [
    'a redirect',
    { status: 301, headers: { location: '/docs/openapi.json' } },
    'not_found',
    'answered 301 (a redirect to /docs/openapi.json: set OPENAPI_URL to it)',
  ],
  [
    'an HTML page',
    { body: '<!DOCTYPE html><html></html>', headers: { 'content-type': 'text/html' } },
    'not_found',
    'answered an HTML page, not an API description',
  ],
  [
    'a declared length over OPENAPI_MAX_BYTES',
    { body: Buffer.alloc(MAX_BYTES + 1, 0x20), headers: { 'content-length': String(MAX_BYTES + 1) } },
    'too_large',
    `${MAX_BYTES + 1} bytes exceed OPENAPI_MAX_BYTES (${MAX_BYTES})`,
  ],
  [
    'a chunked body over OPENAPI_MAX_BYTES',
    { body: Buffer.alloc(MAX_BYTES + 1, 0x20) },
    'too_large',
    `more than OPENAPI_MAX_BYTES (${MAX_BYTES}) bytes`,
  ],
  [
    'broken gzip',
    { body: Buffer.from('not gzip at all'), headers: { 'content-encoding': 'gzip' } },
    'fetch_error',
    'broken gzip body: incorrect header check',
  ],
  [
    'a gzip bomb',
    { body: gzipSync(Buffer.alloc(100 * 1024 * 1024, 0x20)), headers: { 'content-encoding': 'gzip' } },
    'too_large',
    `more than OPENAPI_MAX_BYTES (${MAX_BYTES}) bytes once decompressed`,
  ],
  [
    '120,000 paths',
    openapi({ paths: Object.fromEntries(Array.from({ length: 120_000 }, (_, i) => [`/r${i}`, {}])) }),
    'too_large',
    '120000 paths exceed OPENAPI_MAX_ROUTES (10000)',
  ],
  [
    'bytes that are not text',
    { body: Buffer.from([0x7b, 0xff, 0x00, 0xfe]) },
    'parse_error',
    'not UTF-8 text',
  ],
  [
    'broken JSON',
    { body: '{"openapi": "3.1.0", "paths": {"/a": ' },
    'parse_error',
    'not valid JSON: Unexpected end of JSON input',
  ],
  [
    'an alias bomb',
    { body: aliasBomb(), headers: { 'content-type': 'application/yaml' } },
    'parse_error',
    'not valid YAML: Excessive alias count indicates a resource exhaustion attack',
  ],
  [
    'a memory bomb',
    { body: `{"openapi":"3.1.0","paths":{"/a":{}},"x":[${'{},'.repeat(1_300_000)}{}]}` },
    'parse_error',
    'parsing needs more than the 32 MB the parser may use (raise OPENAPI_PARSE_MEMORY_MB, or serve the document as JSON, which needs far less than YAML)',
  ],
  [
    'YAML nested too deeply',
    // Deep enough to overflow the parser's stack (near 800 levels), shallow enough that its
    // tokens fit the 32 MB this suite gives the parser: 20,000 levels ran out of memory first
    // in some runs, which is the memory bomb's refusal, not this one.
    { body: `openapi: 3.1.0\npaths: {}\nx: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n` },
    'parse_error',
    'nested too deeply to parse',
  ],
  [
    'a JSON page that is no API description',
    json({ detail: 'Not Found' }),
    'invalid',
    'not an API description: neither openapi: 3.x nor swagger: "2.0"',
  ],
  [
    'an unsupported version',
    json({ openapi: '4.0.0', paths: {} }),
    'invalid',
    'OpenAPI 4.0.0 is not supported (OpenAPI 3.x and Swagger 2.0 are)',
  ],
  [
    'paths that are not an object',
    openapi({ paths: ['/a', '/b'] }),
    'invalid',
    'paths is an array: it must map path templates to path items',
  ],
  [
    'keys that are not paths',
    openapi({ paths: { get: {}, 'items/{id}': {} } }),
    'invalid',
    'none of its 2 paths is a path template ("get" does not start with /)',
  ],
  [
    'a server variable without a default',
    openapi({ servers: [{ url: 'https://{tenant}.example.com' }], paths: { '/a': {} } }),
    'invalid',
    'servers[0].url uses {tenant}, which has no default in servers[0].variables',
  ],
  [
    'a backend that never answers',
    () => {},
    'fetch_error',
    'no complete answer within 1000 ms (OPENAPI_TIMEOUT_MS)',
  ],
  [
    'a connection cut mid-document',
    (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"openapi": "3.1.0", ');
      setTimeout(() => res.socket?.destroy(), 50);
    },
    'fetch_error',
    'connection closed before the end of the document',
  ],
  [
    'an unknown content encoding',
    { body: 'x', headers: { 'content-encoding': 'zstd' } },
    'fetch_error',
    'unsupported Content-Encoding zstd',
  ],
];

let backend: DocumentBackend;
let running: RunningSource;
let url: string;

beforeAll(async () => {
  backend = await startDocumentBackend();
  url = `${backend.url}/openapi.json`;
  backend.serve('/openapi.json', { body: fastapiDocument(GOOD) });
  running = startSource(backend.url, {
    OPENAPI_URL: '/openapi.json',
    OPENAPI_REFRESH_S: '1',
    OPENAPI_TIMEOUT_MS: '1000',
    OPENAPI_MAX_BYTES: String(MAX_BYTES),
    OPENAPI_PARSE_MEMORY_MB: '32',
  });
  await eventually(() => running.deliveries.length === 1, 10_000);
});

afterAll(async () => {
  await running?.stop();
  await backend?.close();
});

function expectedLine(outcome: string, reason: string): string {
  const kept = 'the last good document (2 route templates) stays in force';
  const retry = 'looking again in 1 s, less often while this lasts';
  if (outcome === 'not_found') return `warn: No OpenAPI document at ${url}: ${reason}; ${kept}; ${retry}`;
  if (outcome === 'fetch_error')
    return `warn: OpenAPI document at ${url} could not be fetched: ${reason}; ${kept}; ${retry}`;
  return `warn: OpenAPI document at ${url} refused: ${reason}; ${kept}; looking again in 1 s`;
}

describe('bad documents', () => {
  it.each(CORPUS)(
    'refuses %s, names why, and keeps the last good templates',
    async (_name, route, outcome, reason) => {
      const before = await running.loads(outcome);
      const lines = running.lines().length;
      backend.serve('/openapi.json', route);
      const line = expectedLine(outcome, reason);
      // A look still under way for the previous document ends first; each look starts a worker
      // and a parser process, slow on a loaded machine.
      await eventually(() => running.lines().includes(line), 40_000).catch(() => {});
      expect(running.lines().slice(lines)).toEqual([line]);
      expect(await running.loads(outcome)).toBeGreaterThan(before);
      expect(running.deliveries).toHaveLength(1);
      expect(await running.gauge('sidecar_openapi_routes')).toBe(2);
    },
    60_000,
  );

  it('logs a refusal once, however often the same document is refused', async () => {
    backend.serve('/openapi.json', { status: 404, body: '{}' });
    await eventually(async () => running.lines().at(-1) === expectedLine('not_found', 'answered 404'), 5_000);
    const lines = running.lines().length;
    const before = await running.loads('not_found');
    await eventually(async () => (await running.loads('not_found')) >= before + 2, 10_000);
    expect(running.lines()).toHaveLength(lines);
  });

  it('takes a good document again afterwards, however cyclic its references', async () => {
    const cyclic = fastapiDocument(['/again/{id}'], {
      components: {
        schemas: {
          A: { properties: { b: { $ref: '#/components/schemas/B' } } },
          B: { properties: { a: { $ref: '#/components/schemas/A' } } },
        },
        pathItems: { P: { $ref: '#/components/pathItems/P' } },
      },
    });
    backend.serve('/openapi.json', { body: cyclic });
    await eventually(() => running.deliveries.length === 2, 10_000);
    expect(running.deliveries[1]!.templates).toEqual(['/again/{id}']);
    expect(running.lines().at(-1)).toBe(`info: OpenAPI document at ${url}: 1 route template (OpenAPI 3.1.0)`);
    await sleep(0);
  });
});
