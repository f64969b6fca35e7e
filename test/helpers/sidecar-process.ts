import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The sidecar as a real process (src/main.ts), for signal handling and process-global SDKs. */
export interface SidecarProcess {
  readonly child: ChildProcess;
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** Parsed JSON log lines so far. */
  lines(): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; elapsedMs: number }>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOADER = fileURLToPath(new URL('./ts-loader.mjs', import.meta.url));

/** Starts src/main.ts with `env` (plus loopback ports chosen by the OS) and waits until it listens. */
export async function spawnSidecar(env: Record<string, string>): Promise<SidecarProcess> {
  const child = spawn(
    process.execPath,
    ['--experimental-transform-types', '--no-warnings', '--import', LOADER, 'src/main.ts'],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        ADMIN_HOST: '127.0.0.1',
        PORT: '0',
        ADMIN_PORT: '0',
        UPSTREAM_HEALTH_INTERVAL_MS: '200',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = new Promise<{ proxy: number; admin: number }>((resolve, reject) => {
    let proxy: number | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf('\n');
      while (newline !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (!line.startsWith('{')) continue;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        const msg = String(parsed.msg);
        const proxyMatch = /^Proxy listening on http:\/\/[^:]+:(\d+)/.exec(msg);
        if (proxyMatch) proxy = Number(proxyMatch[1]);
        const adminMatch = /^Prometheus metrics at http:\/\/[^:]+:(\d+)\//.exec(msg);
        if (adminMatch && proxy !== undefined) resolve({ proxy, admin: Number(adminMatch[1]) });
      }
    });
    void exited.then((code) => reject(new Error(`sidecar exited with ${code} before listening: ${stderr}`)));
  });
  const { proxy, admin } = await ports;
  return {
    child,
    proxyUrl: `http://127.0.0.1:${proxy}`,
    adminUrl: `http://127.0.0.1:${admin}`,
    lines: () => lines,
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      return { code, elapsedMs: Date.now() - started };
    },
  };
}
