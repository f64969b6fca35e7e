import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as a user gets it: `npm pack` of the built tree, installed into a fresh project,
 * both entry points imported by a program of that project and the command run from its bin.
 * A `main`, `exports` or `files` entry naming a file the build does not make fails here.
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
let project: string;

async function node(script: string): Promise<string> {
  const file = path.join(project, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, script);
  const { stdout } = await run(process.execPath, [file], { cwd: project, timeout: 30_000 });
  return stdout.trim();
}

beforeAll(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'sidecar-package-'));
  await run('npm', ['pack', '--silent', '--pack-destination', project], { cwd: ROOT, timeout: 60_000 });
  const tarball = (await readdir(project)).find((f) => f.endsWith('.tgz'));
  expect(tarball).toBeDefined();
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'package-probe', private: true, type: 'module' }),
  );
  // The dependencies come from the cache `npm ci` filled; the registry only for what is missing.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev', `./${tarball}`], {
    cwd: project,
    timeout: 120_000,
  });
}, 180_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the published package', () => {
  it('runs a sidecar from its main entry point', async () => {
    const out = await node(`
      import { createSidecar, loadConfig, VERSION } from 'observability-sidecar';
      const config = loadConfig({ UPSTREAM_URL: 'http://127.0.0.1:9', HOST: '127.0.0.1', PORT: '0',
        ADMIN_HOST: '127.0.0.1', ADMIN_PORT: '0', LOG_LEVEL: 'silent', SYSTEM_METRICS_ENABLED: 'false' });
      const sidecar = createSidecar(config);
      const { adminPort } = await sidecar.listen();
      const health = await (await fetch('http://127.0.0.1:' + adminPort + '/health')).json();
      await sidecar.close();
      console.log(JSON.stringify({ version: VERSION, health: health.status }));
    `);
    const result = JSON.parse(out) as { version: string; health: string };
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    expect(result.version).toBe(version);
    expect(result.health).toBeTypeOf('string');
  });

  it('gives Node backends the client from observability-sidecar/client', async () => {
    const out = await node(`
      import { createSidecarClient } from 'observability-sidecar/client';
      const client = createSidecarClient({ url: 'http://127.0.0.1:9' });
      console.log(typeof client.send, typeof client.close);
      await client.close();
    `);
    expect(out).toBe('function function');
  });

  it('installs the command, which checks a configuration', async () => {
    const bin = path.join(project, 'node_modules', '.bin', 'observability-sidecar');
    const { stdout } = await run(bin, ['--check-config'], {
      cwd: project,
      env: { ...process.env, UPSTREAM_URL: 'http://backend:8000' },
      timeout: 30_000,
    });
    expect(stdout).toContain('configuration is valid');
  });
});
