import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/http.js';

/**
 * Starts the stack a user deploys, from the repository's own configuration files adapted only
 * in addresses, ports, paths and intervals: nginx (deploy/nginx), the built sidecar, a FastAPI
 * backend using the Python ingest client, a local Sentry envelope sink, and Prometheus
 * (monitoring/prometheus with the real alert rules) scraping every second.
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PYTHON = process.env.E2E_PYTHON ?? '/usr/bin/python3';
const NGINX = process.env.E2E_NGINX ?? '/usr/sbin/nginx';
const PROMETHEUS = process.env.E2E_PROMETHEUS ?? '/usr/bin/prometheus';

interface Proc {
  name: string;
  child: ChildProcess;
  output: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil(
  what: string,
  fn: () => Promise<boolean>,
  timeoutMs = 20_000,
  stepMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

async function ok(url: string): Promise<boolean> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.ok;
}

/** The FastAPI app a stack runs, and the settings its sidecar gets on top of the common ones. */
export interface StackOptions {
  /** `module:attribute` under test/e2e/fixtures, as uvicorn takes it. */
  readonly backend: string;
  readonly backendEnv?: Record<string, string>;
  /** A path the backend answers 2xx on once it is up. */
  readonly backendReadyPath: string;
  readonly sidecarEnv: Record<string, string>;
  /**
   * A Python with `sidecar_events` installed (a virtual environment); by default the system's,
   * given the client's source tree on PYTHONPATH.
   */
  readonly backendPython?: string;
}

/** The banking backend of the first users, with the route patterns its deployment declares. */
export const BANKING_STACK: StackOptions = {
  backend: 'banking_backend:app',
  backendReadyPath: '/health',
  sidecarEnv: { ROUTE_PATTERNS: '/api/accounts/:account_id,/api/transfers/:transfer_id/status' },
};

export class Stack {
  constructor(readonly options: StackOptions = BANKING_STACK) {}

  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sidecar-e2e-'));
  readonly procs = new Map<string, Proc>();
  ports = { nginx: 0, proxy: 0, admin: 0, backend: 0, prometheus: 0, sink: 0 };

  get nginxUrl() {
    return `http://127.0.0.1:${this.ports.nginx}`;
  }
  get adminUrl() {
    return `http://127.0.0.1:${this.ports.admin}`;
  }
  get prometheusUrl() {
    return `http://127.0.0.1:${this.ports.prometheus}`;
  }
  get sinkUrl() {
    return `http://127.0.0.1:${this.ports.sink}`;
  }

  private spawn(
    name: string,
    command: string,
    args: string[],
    options: { env?: Record<string, string>; cwd?: string } = {},
  ): Proc {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc: Proc = { name, child, output: '' };
    const keep = (c: Buffer) => {
      // Enough for an access log line of every request a test sends.
      proc.output = (proc.output + c.toString()).slice(-4_000_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.procs.set(name, proc);
    return proc;
  }

  output(name: string): string {
    return this.procs.get(name)?.output ?? '';
  }

  async start(): Promise<void> {
    for (const key of Object.keys(this.ports) as (keyof Stack['ports'])[]) this.ports[key] = await freePort();
    await this.startSink();
    await this.startBackend();
    await this.startSidecar();
    await this.startNginx();
    await this.startPrometheus();
  }

  private async startSink(): Promise<void> {
    this.spawn('sink', process.execPath, [path.join(ROOT, 'test/fixtures/sentry-sink.mjs')], {
      env: { PORT: String(this.ports.sink) },
    });
    await waitUntil('the Sentry sink', async () => {
      const port = /"port":(\d+)/.exec(this.output('sink'))?.[1];
      if (port) this.ports.sink = Number(port);
      return port !== undefined;
    });
  }

  async startBackend(): Promise<void> {
    this.spawn(
      'backend',
      this.options.backendPython ?? PYTHON,
      [
        '-m',
        'uvicorn',
        this.options.backend,
        '--host',
        '127.0.0.1',
        '--port',
        String(this.ports.backend),
        '--log-level',
        'warning',
      ],
      {
        cwd: path.join(ROOT, 'test/e2e/fixtures'),
        env: {
          PYTHONPATH: [
            path.join(ROOT, 'test/e2e/fixtures'),
            ...(this.options.backendPython ? [] : [path.join(ROOT, 'clients/python/src')]),
          ].join(':'),
          SIDECAR_EVENTS_URL: `http://127.0.0.1:${this.ports.admin}/v1/events`,
          // For a backend that reports to Sentry itself (traced_app.py): the same sink.
          E2E_SENTRY_DSN: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${this.ports.sink}/42`,
          ...this.options.backendEnv,
        },
      },
    );
    await waitUntil('the FastAPI backend', () =>
      ok(`http://127.0.0.1:${this.ports.backend}${this.options.backendReadyPath}`),
    );
  }

  async stopBackend(): Promise<void> {
    await this.stop('backend');
  }

  /**
   * Stops the sidecar and starts it again on the same ports, as a deploy or a crash would;
   * `whileDown` runs in between.
   */
  async restartSidecar(whileDown: () => Promise<void> = async () => {}): Promise<void> {
    await this.stop('sidecar');
    await whileDown();
    await this.startSidecar();
  }

  private async startSidecar(): Promise<void> {
    this.spawn('sidecar', process.execPath, [path.join(ROOT, 'dist/bundle/main.js')], {
      env: {
        UPSTREAM_URL: `http://127.0.0.1:${this.ports.backend}`,
        HOST: '127.0.0.1',
        PORT: String(this.ports.proxy),
        ADMIN_HOST: '127.0.0.1',
        ADMIN_PORT: String(this.ports.admin),
        UPSTREAM_HEALTH_INTERVAL_MS: '500',
        SYSTEM_METRICS_INTERVAL_MS: '1000',
        SENTRY_DSN: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${this.ports.sink}/42`,
        SENTRY_ENVIRONMENT: 'e2e',
        SENTRY_TRACES_SAMPLE_RATE: '1.0',
        // The suites here count a backend 5xx and the backend's own error event as two events;
        // linking them into one (ERROR_LINK_WINDOW_MS) is tested in the integration suites.
        ERROR_LINK_WINDOW_MS: '0',
        ...this.options.sidecarEnv,
      },
    });
    await waitUntil('the sidecar', () => ok(`${this.adminUrl}/health`));
  }

  private async startNginx(): Promise<void> {
    const nginxDir = path.join(this.dir, 'nginx');
    mkdirSync(nginxDir, { recursive: true });
    // nginx workers run as an unprivileged user when started as root: let them write temp files.
    chmodSync(this.dir, 0o755);
    chmodSync(nginxDir, 0o777);
    const source = readFileSync(path.join(ROOT, 'deploy/nginx/nginx.conf'), 'utf8');
    const adapted = source
      .replace(/server sidecar:8080;/, `server 127.0.0.1:${this.ports.proxy};`)
      .replace(/listen 80;/, `listen 127.0.0.1:${this.ports.nginx};`)
      .replace(/\/tmp\/nginx/g, `${nginxDir}/nginx`)
      .replace(/access_log \/dev\/stdout;/, `access_log ${nginxDir}/access.log;`)
      .replace(/error_log \/dev\/stderr warn;/, `error_log ${nginxDir}/error.log warn;`);
    if (!adapted.includes(`127.0.0.1:${this.ports.proxy}`))
      throw new Error('deploy/nginx/nginx.conf no longer has `server sidecar:8080;`');
    const conf = path.join(nginxDir, 'nginx.conf');
    writeFileSync(conf, adapted);
    this.spawn('nginx', NGINX, [
      '-c',
      conf,
      '-p',
      nginxDir,
      '-e',
      path.join(nginxDir, 'error.log'),
      '-g',
      'daemon off;',
    ]);
    await waitUntil('nginx', () => ok(`${this.nginxUrl}/health`));
  }

  private async startPrometheus(): Promise<void> {
    const promDir = path.join(this.dir, 'prometheus');
    mkdirSync(promDir, { recursive: true });
    const source = readFileSync(path.join(ROOT, 'monitoring/prometheus/prometheus.yml'), 'utf8');
    const adapted = source
      .replace(/scrape_interval: 15s/g, 'scrape_interval: 1s')
      .replace(/evaluation_interval: 15s/g, 'evaluation_interval: 1s')
      .replace(/scrape_timeout: 5s/g, 'scrape_timeout: 1s')
      .replace(/\/etc\/prometheus\/rules\//g, `${path.join(ROOT, 'monitoring/prometheus-rules')}/`)
      .replace(/"sidecar:9464"/g, `"127.0.0.1:${this.ports.admin}"`)
      .replace(/"localhost:9090"/g, `"127.0.0.1:${this.ports.prometheus}"`);
    if (!adapted.includes(`127.0.0.1:${this.ports.admin}`))
      throw new Error('monitoring/prometheus/prometheus.yml no longer scrapes sidecar:9464');
    const conf = path.join(promDir, 'prometheus.yml');
    writeFileSync(conf, adapted);
    this.spawn('prometheus', PROMETHEUS, [
      `--config.file=${conf}`,
      `--storage.tsdb.path=${path.join(promDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${this.ports.prometheus}`,
      '--log.level=warn',
    ]);
    await waitUntil('Prometheus', () => ok(`${this.prometheusUrl}/-/ready`));
  }

  /** An instant PromQL query; returns the result vector. */
  async query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const res = await fetch(`${this.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      error?: string;
    };
    if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
    return body.data.result;
  }

  async alerts(): Promise<Array<{ labels: Record<string, string>; state: string }>> {
    const res = await fetch(`${this.prometheusUrl}/api/v1/alerts`);
    return (
      (await res.json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }
    ).data.alerts;
  }

  async stop(name: string): Promise<void> {
    const proc = this.procs.get(name);
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.child.once('exit', resolve));
    proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    for (const name of ['prometheus', 'nginx', 'sidecar', 'backend', 'sink']) await this.stop(name);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
