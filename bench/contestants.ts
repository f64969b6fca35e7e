import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ADMIN_PORT,
  BACKEND_PORT,
  closedLoop,
  hasNginx,
  PROXY_CORE,
  PROXY_PORT,
  pinned,
  root,
  SINK_PORT,
  sleep,
  waitFor,
} from './machine.js';

/** Who is measured: the sidecar in its configurations, its peers, and the references. */
export interface Contestant {
  name: string;
  /** Command to start the proxy (undefined for `direct`), listening on PROXY_PORT. */
  start?: () => ChildProcess;
  /** Resolves once the contestant is ready to be measured, beyond answering requests. */
  ready?: () => Promise<void>;
  url: string;
}

export const upstream = `http://127.0.0.1:${BACKEND_PORT}`;
export const node = process.execPath;
const proxyUrl = `http://127.0.0.1:${PROXY_PORT}`;
const adminUrl = `http://127.0.0.1:${ADMIN_PORT}`;

/** The sidecar runs with the V8 flags its Dockerfile and `npm start` use. */
const argv = (checkout: string) => ['--max-semi-space-size=4', path.join(checkout, 'dist/bundle/main.js')];
export const SIDECAR_ARGV = argv(root);

/**
 * As the image ships it: with V8's compiled form of the bundle, made the way the Dockerfile
 * makes it (`--check-config` with the same flags).
 */
function compileCache(sidecarArgv: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-compile-cache-'));
  execFileSync(node, [...sidecarArgv, '--check-config'], {
    env: { ...process.env, NODE_COMPILE_CACHE: dir, UPSTREAM_URL: upstream },
    stdio: 'ignore',
  });
  return dir;
}
const commonEnv = {
  UPSTREAM_URL: upstream,
  PORT: String(PROXY_PORT),
  ADMIN_PORT: String(ADMIN_PORT),
  HOST: '127.0.0.1',
  ADMIN_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};
export const sidecarEnv = { ...commonEnv, NODE_COMPILE_CACHE: compileCache(SIDECAR_ARGV) };
const tracing = { SENTRY_DSN: `http://public@127.0.0.1:${SINK_PORT}/1`, SENTRY_TRACES_SAMPLE_RATE: '0.1' };

/** Until the sidecar's /metrics reports `routes` document templates in force. */
async function documentLoaded(routes: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = await fetch(`${adminUrl}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    if (new RegExp(`^sidecar_openapi_routes ${routes}$`, 'm').test(text)) return;
    await sleep(100);
  }
  throw new Error(`the sidecar did not load the document of ${routes} routes`);
}

/**
 * The sidecar as a user runs it (10% tracing to a local Sentry), without Sentry (`-minimal`),
 * and minimal with 100 or 1,000 route templates from the backend's OpenAPI document (without
 * one it learns its templates from the traffic). BENCH_BASELINE names another built checkout of
 * the sidecar, measured beside this one as `baseline` and `baseline-minimal`.
 */
function sidecars(): Contestant[] {
  const own = (name: string, env: Record<string, string>, ready?: () => Promise<void>): Contestant => ({
    name,
    url: proxyUrl,
    start: () => pinned(PROXY_CORE, node, SIDECAR_ARGV, { ...sidecarEnv, ...env }),
    ready,
  });
  const list = [
    own('sidecar', tracing),
    own('sidecar-envelope', { ...tracing, SENTRY_TRACES_PROTOCOL: 'envelope' }),
    // Sentry on, tracing off: what tracing itself costs is `sidecar` minus this.
    own('sidecar-untraced', { ...tracing, SENTRY_ENABLE_TRACING: 'false' }),
    own('sidecar-minimal', {}),
    // Everything on: tracing, the templates of a 1,000-route document, ingest, system
    // collectors and the status page (the last three are on by default).
    own('sidecar-full', { ...tracing, OPENAPI_URL: '/openapi-1000.json' }, () => documentLoaded(1_000)),
    ...[100, 1_000].map((n) =>
      own(`sidecar-minimal-${n}-routes`, { OPENAPI_URL: `/openapi-${n}.json` }, () => documentLoaded(n)),
    ),
  ];
  const baseline = process.env.BENCH_BASELINE;
  if (baseline) {
    const baselineArgv = argv(path.resolve(baseline));
    const env = { ...commonEnv, NODE_COMPILE_CACHE: compileCache(baselineArgv) };
    const start = (extra: Record<string, string>) => () =>
      pinned(PROXY_CORE, node, baselineArgv, { ...env, ...extra });
    list.push(
      { name: 'baseline', url: proxyUrl, start: start(tracing) },
      { name: 'baseline-minimal', url: proxyUrl, start: start({}) },
    );
  }
  return list;
}

export function nginxConfig(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-nginx-'));
  const conf = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${BACKEND_PORT}; keepalive 64; }
  server {
    listen 127.0.0.1:${PROXY_PORT};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  return path.join(dir, 'nginx.conf');
}

export const dist = (p: string) => path.join(root, 'dist', p);
/** A peer from bench/peers/, given the backend and the port by environment like the sidecar. */
export function peer(name: string): Contestant {
  return {
    name,
    url: proxyUrl,
    start: () =>
      pinned(PROXY_CORE, node, [dist(`bench/peers/${name}.js`)], {
        UPSTREAM_URL: upstream,
        PORT: String(PROXY_PORT),
      }),
  };
}
/** express-prom-bundle and @sentry/node with 10% tracing in the proxy process, to the same local Sentry. */
const sentryInproc: Contestant = {
  name: 'sentry-inproc',
  url: proxyUrl,
  start: () =>
    pinned(
      PROXY_CORE,
      node,
      ['--import', dist('bench/peers/sentry-inproc-init.js'), dist('bench/peers/sentry-inproc.js')],
      {
        UPSTREAM_URL: upstream,
        PORT: String(PROXY_PORT),
        SENTRY_DSN: tracing.SENTRY_DSN,
      },
    ),
};

export const contestants: Contestant[] = [
  { name: 'direct', url: upstream },
  ...sidecars(),
  peer('bare-hpm'),
  peer('express-prom-bundle'),
  sentryInproc,
  peer('plain-hpm'),
  peer('raw-node'),
];
if (hasNginx) {
  contestants.push({
    name: 'nginx',
    url: proxyUrl,
    start: () => {
      const conf = nginxConfig();
      return pinned(PROXY_CORE, '/usr/sbin/nginx', [
        '-c',
        conf,
        '-e',
        path.join(path.dirname(conf), 'error.log'),
      ]);
    },
  });
}
export const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
export const selected = only ? contestants.filter((c) => only.includes(c.name)) : contestants;

/** Starts the sidecar (pinned like the contestants) with extra environment and waits for it. */
export async function withSidecar<T>(
  env: Record<string, string>,
  fn: (proxy: string, admin: string) => Promise<T>,
): Promise<T> {
  const child = pinned(PROXY_CORE, node, SIDECAR_ARGV, { ...sidecarEnv, ...env });
  try {
    await waitFor(`${proxyUrl}/json1k`);
    await closedLoop(`${proxyUrl}/json1k`, 1);
    return await fn(proxyUrl, adminUrl);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sleep(300);
  }
}
