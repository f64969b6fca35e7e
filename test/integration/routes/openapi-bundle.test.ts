import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PARSE_FLAG, type ParseReply } from '../../../src/routes/openapi/parser-protocol.js';
import { type ChildSidecar, spawnSidecar } from '../../helpers/child-sidecar.js';
import { eventually } from '../../helpers/http.js';
import { type DocumentBackend, fastapiDocument, startDocumentBackend } from '../../helpers/openapi.js';

/**
 * OpenAPI discovery as the container runs it: dist/bundle (`npm run build`), where main.js
 * looks first and parses a small JSON document itself; a larger one, or YAML, is looked at in
 * dist/bundle/openapi-discovery.js (a worker thread), which starts dist/bundle/openapi-parser.js
 * as a child process for each new document.
 */

const bundled = (name: string) => new URL(`../../../dist/bundle/${name}`, import.meta.url);
const staticImports = (code: string) =>
  [
    ...code.matchAll(/^import\s[^;]*?from\s+"([^"]+)";?$/gm),
    ...code.matchAll(/^import\s+"([^"]+)";?$/gm),
  ].map((m) => m[1]!);

function runParser(document: string): Promise<ParseReply> {
  const options = {
    maxRoutes: 100,
    pathPrefix: '',
    serverPrefix: true,
    documentUrl: 'http://b/openapi.yaml',
  };
  const child = fork(bundled('openapi-parser.js'), [PARSE_FLAG, JSON.stringify(options)], {
    execArgv: [],
    env: {},
    stdio: ['pipe', 'ignore', 'inherit', 'ipc'],
  });
  child.stdin!.end(document);
  return new Promise((resolve, reject) => {
    child.once('message', (reply) => resolve(reply as ParseReply));
    child.once('exit', (code) => reject(new Error(`the parser exited with ${code} without a reply`)));
  });
}

describe('the bundled OpenAPI parser', () => {
  it('is a program of its own, with the YAML parser inside it', async () => {
    const code = readFileSync(bundled('openapi-parser.js'), 'utf8');
    expect(staticImports(code).filter((m) => !m.startsWith('node:'))).toEqual([]);
    const reply = await runParser(
      'openapi: 3.1.0\nservers:\n  - url: /api\npaths:\n  /items/{item_id}: {}\n',
    );
    expect(reply).toMatchObject({ ok: true, templates: ['/items/{item_id}'], serverPrefix: '/api' });
  });

  it('keeps the YAML parser out of main.js and out of the discovery worker', () => {
    for (const name of ['main.js', 'openapi-discovery.js']) {
      expect(readFileSync(bundled(name), 'utf8')).not.toMatch(/^\/\/ node_modules\/yaml\//m);
    }
  });

  it('has a discovery worker of its own beside main.js', () => {
    const code = readFileSync(bundled('openapi-discovery.js'), 'utf8');
    expect(staticImports(code).filter((m) => !m.startsWith('node:'))).toEqual([]);
    // rolldown heads each bundled module with its path. Both fetch: main.js looks first, and
    // parses small JSON documents itself.
    const main = readFileSync(bundled('main.js'), 'utf8');
    const module = (name: string) => new RegExp(`^// dist/src/routes/openapi/${name}\\.js$`, 'm');
    expect(code).toMatch(module('fetch-document'));
    expect(main).toMatch(module('fetch-document'));
    expect(main).toMatch(module('json-document'));
    expect(code).toMatch(module('parse-in-child'));
  });
});

/** Runs once src/sidecar.ts starts the OpenAPI source (the wiring is the integrator's). */
const wired = readFileSync(bundled('main.js'), 'utf8').includes('sidecar_openapi_loads_total');

describe.skipIf(!wired)('the bundled sidecar', () => {
  let backend: DocumentBackend | undefined;
  let sidecar: ChildSidecar | undefined;

  afterEach(async () => {
    await sidecar?.stop();
    await backend?.close();
  });

  it("discovers the backend's routes from its OpenAPI document", async () => {
    backend = await startDocumentBackend();
    backend.serve('/health', { body: '{"status":"ok"}' });
    backend.serve('/openapi.json', {
      body: fastapiDocument(['/items/{item_id}', '/files/{file_path}', '/pay']),
    });
    sidecar = await spawnSidecar({ UPSTREAM_URL: backend.url, OPENAPI_URL: 'auto' });
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${sidecar!.adminUrl}/metrics`)).text();
      return /^sidecar_openapi_routes 3$/m.test(text) ? text : undefined;
    }, 10_000);
    expect(metrics).toMatch(/^sidecar_openapi_loads_total\{outcome="success"\} 1$/m);
    expect(sidecar.lines().map((l) => l.msg)).toContain(
      `OpenAPI document at ${backend.url}/openapi.json: 3 route templates (OpenAPI 3.1.0)`,
    );
  });
});
