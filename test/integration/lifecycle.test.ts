import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBackend, startDemoBackend } from '../../examples/demo/backend.js';
import { MAIN, spawnSidecar } from '../helpers/child-sidecar.js';
import { sleep } from '../helpers/http.js';

function run(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('start-up configuration errors', () => {
  it('exits 2 before listening and lists every problem', async () => {
    const { code, stderr } = await run({ PORT: 'eighty', UPSTREAM_TIMEOUT_MS: '0', ACCESS_LOG: 'sometimes' });
    expect(code).toBe(2);
    expect(stderr).toContain('Invalid configuration (4 problems)');
    expect(stderr).toContain('UPSTREAM_URL=(unset): is required');
    expect(stderr).toContain('PORT="eighty": must be an integer from 0 to 65535');
    expect(stderr).toContain('UPSTREAM_TIMEOUT_MS="0": must be an integer from 1');
    expect(stderr).toContain('ACCESS_LOG="sometimes": must be true or false');
  });
});

describe('start-up errors that name the setting', () => {
  it('says which setting chose a port already in use, and exits 1 without a stack trace', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await run({
        UPSTREAM_URL: 'http://backend:8000',
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_PORT: '0',
      });
      expect(code).toBe(1);
      expect(stderr).toBe(
        `observability-sidecar: cannot start: PORT=${port}: address already in use: another process listens on 127.0.0.1:${port}; stop it or choose another PORT\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('--check-config reports a port in use as start-up would, and exits 1', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const env = {
        UPSTREAM_URL: 'http://backend:8000',
        PORT: '0',
        ADMIN_PORT: String(port),
        ADMIN_HOST: '127.0.0.1',
      };
      const { code, stderr } = await run(env, ['--check-config']);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `ADMIN_PORT=${port}: address already in use: another process listens on 127.0.0.1:${port}`,
      );
    } finally {
      taken.close();
    }
  });

  it('names a HOST that is not an address of this machine', async () => {
    const { code, stderr } = await run({
      UPSTREAM_URL: 'http://backend:8000',
      PORT: '0',
      ADMIN_PORT: '0',
      HOST: '192.0.2.1',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT=0: HOST=192.0.2.1 is not an address of this machine');
    expect(stderr).not.toContain('    at ');
  });

  it('suggests the fix for a URL without a scheme or with a port out of range', async () => {
    const noScheme = await run({ UPSTREAM_URL: 'localhost:8001' });
    expect(noScheme.code).toBe(2);
    expect(noScheme.stderr).toContain(
      'UPSTREAM_URL="localhost:8001": no scheme; did you mean http://localhost:8001?',
    );
    const badPort = await run({ UPSTREAM_URL: 'http://backend:99999' });
    expect(badPort.stderr).toContain(
      'UPSTREAM_URL="http://backend:99999": port 99999 is out of range (1 to 65535)',
    );
  });

  it('refuses an UPSTREAM_URL that is its own address', async () => {
    const { code, stderr } = await run({ UPSTREAM_URL: 'http://localhost:8080', PORT: '8080' });
    expect(code).toBe(2);
    expect(stderr).toContain(
      'UPSTREAM_URL="http://localhost:8080/": is this sidecar\'s own address (PORT=8080): every request would come back to it',
    );
  });

  it('warns of a variable that looks meant as a setting, in --check-config and at start', async () => {
    const env = {
      UPSTREAM_URL: 'http://backend:8000',
      UPSTREM_TIMEOUT_MS: '5000',
      OPENAPI_REFRESH: '60',
      HOME: '/root',
    };
    const { code, stdout } = await run(env, ['--check-config']);
    expect(code).toBe(0);
    expect(stdout.split('\n').filter((l) => l.includes('warning'))).toEqual([
      'observability-sidecar: warning: OPENAPI_REFRESH is not a setting and is ignored; did you mean OPENAPI_REFRESH_S?',
      'observability-sidecar: warning: UPSTREM_TIMEOUT_MS is not a setting and is ignored; did you mean UPSTREAM_TIMEOUT_MS?',
    ]);
  });
});

describe('command line', () => {
  it('--check-config validates the configuration and exits without listening', async () => {
    const valid = await run({ UPSTREAM_URL: 'http://backend:8000', PORT: '8080' }, ['--check-config']);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('configuration is valid: proxy 0.0.0.0:8080 → http://backend:8000/');
    const invalid = await run({ PORT: 'eighty' }, ['--check-config']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('Invalid configuration (2 problems)');
  });

  it('refuses an argument it does not know, with the usage', async () => {
    const { code, stderr } = await run({ UPSTREAM_URL: 'http://backend:8000' }, ['--check-confg']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown argument --check-confg');
    expect(stderr).toContain('usage: observability-sidecar [--check-config]');
  });

  it("makes the compile cache the image ships, which the sidecar's next start uses", async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'sidecar-compile-cache-'));
    try {
      const warm = await run({ UPSTREAM_URL: 'http://backend:8000', NODE_COMPILE_CACHE: cache }, [
        '--check-config',
      ]);
      expect(warm.code).toBe(0);
      const backend = await startDemoBackend();
      const sidecar = await spawnSidecar({
        UPSTREAM_URL: backend.url,
        NODE_COMPILE_CACHE: cache,
        NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
      });
      try {
        expect(sidecar.output()).toMatch(/code cache for ESM \S+\/dist\/bundle\/main\.js was accepted/);
      } finally {
        await sidecar.stop();
        await backend.close();
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('graceful shutdown', () => {
  let backend: DemoBackend;
  beforeAll(async () => {
    backend = await startDemoBackend();
  });
  afterAll(() => backend.close());

  it('lets in-flight requests finish on SIGTERM, refuses new ones, exits 0', async () => {
    const sidecar = await spawnSidecar({ UPSTREAM_URL: backend.url, SHUTDOWN_TIMEOUT_MS: '5000' });
    const inFlight = Array.from(
      { length: 5 },
      () =>
        new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
          http
            .get(
              `${sidecar.proxyUrl}/api/slow?ms=800`,
              { agent: new http.Agent({ keepAlive: true }) },
              (res) => {
                let body = '';
                res.on('data', (c: Buffer) => {
                  body += c;
                });
                res.on('end', () =>
                  resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }),
                );
              },
            )
            .on('error', reject);
        }),
    );
    await sleep(200);
    const stoppedAt = Date.now();
    sidecar.child.kill('SIGTERM');
    await sleep(100);
    const refused = await fetch(`${sidecar.proxyUrl}/api/users/1`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).toBe('refused');
    const results = await Promise.all(inFlight);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ slept_ms: 800 });
      expect(r.connection).toBe('close');
    }
    expect(await sidecar.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(3000);
    expect(sidecar.output()).toContain('draining in-flight requests');
  });

  it('closes what remains when the shutdown budget runs out, and still exits 0', async () => {
    const sidecar = await spawnSidecar({ UPSTREAM_URL: backend.url, SHUTDOWN_TIMEOUT_MS: '300' });
    const pending = fetch(`${sidecar.proxyUrl}/api/slow?ms=10000`).then(
      (r) => r.status,
      () => 'cut',
    );
    await sleep(200);
    sidecar.child.kill('SIGTERM');
    expect(await sidecar.exited).toBe(0);
    expect(await pending).toBe('cut');
    expect(sidecar.output()).toContain('shutdown budget spent');
  });
});
