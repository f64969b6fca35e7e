import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '../../helpers/http.js';
import { type RunningSource, startSource } from '../../helpers/openapi.js';

/**
 * A real FastAPI application (Debian's python3-fastapi and uvicorn, as in the end-to-end suite)
 * served under a root path, with a :path parameter and a mounted sub-application: the sidecar
 * finds its document where FastAPI serves it and takes its templates as FastAPI writes them.
 */

const PYTHON = process.env.E2E_PYTHON ?? '/usr/bin/python3';
const APP_DIR = fileURLToPath(new URL('../../fixtures/openapi/', import.meta.url));
const hasFastApi = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasFastApi)('a FastAPI application', () => {
  let uvicorn: ChildProcess | undefined;
  let backend: string;
  const sources: RunningSource[] = [];

  beforeAll(async () => {
    const port = await freePort();
    uvicorn = spawn(
      PYTHON,
      [
        '-m',
        'uvicorn',
        'fastapi_app:app',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--root-path',
        '/api',
      ],
      { cwd: APP_DIR, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', PYTHONPATH: APP_DIR } },
    );
    backend = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${backend}/health`)).ok, 20_000, 100);
  }, 30_000);

  afterAll(async () => {
    for (const source of sources) await source.stop();
    uvicorn?.kill();
  });

  const discover = async (env: Record<string, string> = {}) => {
    const running = startSource(backend, env);
    sources.push(running);
    await eventually(() => running.deliveries.length === 1, 15_000);
    return running.deliveries[0]!;
  };

  it('serves /openapi.json, whose paths are the templates, with its root path apart', async () => {
    expect(await discover()).toEqual({
      templates: [
        '/items/{item_id}',
        '/items/latest',
        '/users/{username}/orders/{order_id}',
        '/files/{file_path}',
        '/pay',
        '/health',
      ],
      serverPrefix: '/api',
      source: `${backend}/openapi.json`,
    });
  });

  it('leaves the root path out when OPENAPI_SERVER_PREFIX is off', async () => {
    expect(await discover({ OPENAPI_SERVER_PREFIX: 'false' })).toMatchObject({ serverPrefix: '' });
  });

  it("documents a mounted sub-application in the sub-application's own document", async () => {
    expect(await discover({ OPENAPI_URL: '/admin/openapi.json' })).toEqual({
      templates: ['/stats'],
      serverPrefix: '/api/admin',
      source: `${backend}/admin/openapi.json`,
    });
  });
});
