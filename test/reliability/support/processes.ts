import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ChildSidecar, spawnSidecar } from '../../helpers/child-sidecar.js';

/**
 * The demo backend as its own process (dist/examples/demo/serve-backend.js), so that load on it
 * does not share the test runner's event loop, and so that it can be killed and started again on
 * the same port.
 */
const SERVE_BACKEND = fileURLToPath(new URL('../../../dist/examples/demo/serve-backend.js', import.meta.url));

export interface BackendProcess {
  readonly port: number;
  readonly url: string;
  readonly child: () => ChildProcess;
  /** SIGKILL: connections die with it, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function launch(port: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [SERVE_BACKEND], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on [^:]+:(\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`backend exited with ${code}: ${out}`)));
  });
}

function exitOf(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function startBackendProcess(port = 0): Promise<BackendProcess> {
  let current = await launch(port);
  const bound = current.port;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    child: () => current.child,
    kill: () => exitOf(current.child, 'SIGKILL'),
    async restart() {
      // The port may linger for a moment after a kill; try again until it is ours.
      for (let attempt = 0; ; attempt++) {
        try {
          current = await launch(bound);
          return;
        } catch (error) {
          if (attempt > 50) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
    stop: () => exitOf(current.child, 'SIGTERM'),
  };
}

/**
 * The Node.js flags the Docker image runs the sidecar with (its final `CMD`), as NODE_OPTIONS, so
 * that memory figures measured here are those of production.
 */
export function productionNodeOptions(): string {
  const dockerfile = readFileSync(fileURLToPath(new URL('../../../Dockerfile', import.meta.url)), 'utf8');
  const cmd = [...dockerfile.matchAll(/^CMD (\[.*\])$/gm)].at(-1)?.[1];
  const argv = cmd ? (JSON.parse(cmd) as string[]) : [];
  return argv.filter((arg) => arg.startsWith('--')).join(' ');
}

/** The built sidecar as its own process, with the Docker image's Node.js flags. */
export function spawnProductionSidecar(env: Record<string, string>): Promise<ChildSidecar> {
  return spawnSidecar({ NODE_OPTIONS: productionNodeOptions(), ...env });
}
