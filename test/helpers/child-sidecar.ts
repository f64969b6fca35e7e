import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built entry point; `npm test` builds before running the suite. */
/** The program the container image runs (the Dockerfile's CMD), as `npm run build` makes it. */
export const MAIN = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url));

export interface ChildSidecar {
  readonly child: ChildProcess;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly output: () => string;
  /** The JSON log lines written so far. */
  readonly lines: () => Array<Record<string, unknown>>;
  /** Resolves with the exit code once the process is gone. */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Peak and current resident memory of a process, in bytes, from /proc. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Runs the built sidecar as its own process (as in production) and waits for both ports. */
export async function spawnSidecar(env: Record<string, string>): Promise<ChildSidecar> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      ADMIN_HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_PORT: '0',
      // Suites about other things must not see discovery's requests on their backends.
      OPENAPI_URL: 'off',
      // Nor the probe's, which their filters know by this path.
      UPSTREAM_HEALTH_PATH: '/health',
      ERROR_LINK_WINDOW_MS: '0',
      SENTRY_TRACES_PROTOCOL: 'envelope',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = await new Promise<{ proxy: number; admin: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sidecar did not start:\n${output}`)), 10_000);
    const check = () => {
      const proxy = /Proxy listening on http:\/\/[^:]+:(\d+)/.exec(output)?.[1];
      const admin = /Prometheus metrics at http:\/\/[^:]+:(\d+)/.exec(output)?.[1];
      if (proxy && admin) {
        clearTimeout(timer);
        resolve({ proxy: Number(proxy), admin: Number(admin) });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`sidecar exited with ${code}:\n${output}`)));
  });
  return {
    child,
    proxyUrl: `http://127.0.0.1:${ports.proxy}`,
    adminUrl: `http://127.0.0.1:${ports.admin}`,
    output: () => output,
    lines: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
