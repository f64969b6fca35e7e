import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The benchmark's machinery: where each process runs, how load is generated, and what a process
 * used, read from /proc.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const REPS = Number(process.env.BENCH_REPS ?? 3);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
export const RATE = Number(process.env.BENCH_RATE ?? 2000);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
export const BACKEND_PORT = 18_500;
export const PROXY_PORT = 18_501;
export const ADMIN_PORT = 18_502;
export const SINK_PORT = 18_503;
export const cores = os.availableParallelism();
export const PROXY_CORE = cores > 1 ? String(cores - 1) : '0';
export const LOAD_CORES = cores > 2 ? `0-${cores - 2}` : '0';
export const hasTaskset = existsSync('/usr/bin/taskset');
export const hasWrk = existsSync('/usr/bin/wrk');
export const hasNginx = existsSync('/usr/sbin/nginx');

export function pinned(
  core: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): ChildProcess {
  const [cmd, argv] = hasTaskset ? ['taskset', ['-c', core, command, ...args]] : [command, args];
  return spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(url: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await sleep(50);
  }
}

export const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) of a process and all its threads, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** nginx serves from a worker process; measure that one. */
export function measuredPid(child: ChildProcess, name: string): number {
  if (name !== 'nginx') return child.pid!;
  const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return Number(children[0] ?? child.pid);
}

export interface Throughput {
  requests: number;
  rps: number;
}

export function output(command: string, args: string[]): Promise<string> {
  const [cmd, argv] = hasTaskset ? ['taskset', ['-c', LOAD_CORES, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c;
    });
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

/** wrk's script for requests that each name a new record (bench/ids.lua). */
export const NEW_IDS = path.join(root, 'bench/ids.lua');
/** The path NEW_IDS requests (with a new id each time), and the one autocannon repeats. */
export const NEW_IDS_PATH = '/api/v1/res7/1';

/**
 * Closed loop over CONNECTIONS keep-alive connections. With `newIds`, wrk asks for a new record
 * every time (bench/ids.lua), the url's path aside; autocannon, without scripts, repeats the url.
 */
export async function closedLoop(url: string, seconds: number, newIds = false): Promise<Throughput> {
  if (hasWrk) {
    const script = newIds ? ['-s', NEW_IDS] : [];
    const out = await output('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, ...script, url]);
    const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
    if (!requests) throw new Error(`wrk failed: ${out}`);
    return { requests, rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]) };
  }
  const out = await output(path.join(root, 'node_modules/.bin/autocannon'), [
    '-j',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(seconds),
    url,
  ]);
  const r = JSON.parse(out) as { requests: { total: number; average: number } };
  return { requests: r.requests.total, rps: r.requests.average };
}
