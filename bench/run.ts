import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixedRate, fixedRateTimeline } from './fixed-rate.js';
import { growSeries, ingestThroughput, latencyDuringScrapes, scrapeTime } from './suites.js';

/**
 * `npm run bench`: every contestant proxies the same local backend, in one run on one machine,
 * interleaved over several repetitions. The proxy under test is pinned to its own core; the
 * backend, wrk and the Sentry sink share the other one. This script, which also runs the
 * fixed-rate generator, is left to the scheduler: pinned beside them, it made every Node
 * contestant's added latency 0.1–0.2 ms higher.
 *
 * Options (environment): BENCH_REPS (3), BENCH_SECONDS (5), BENCH_RATE (2000),
 * BENCH_CONNECTIONS (32), BENCH_ONLY (comma list of contestants), BENCH_SUITES (`contestants,ingest,
 * scrape,sentry`, all by default), BENCH_OUTAGE_PHASE_SECONDS (10: each phase of the Sentry
 * suite), BENCH_OUT (JSON results path).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const BACKEND_PORT = 18_500;
const PROXY_PORT = 18_501;
const ADMIN_PORT = 18_502;
const SINK_PORT = 18_503;
const cores = os.availableParallelism();
const PROXY_CORE = cores > 1 ? String(cores - 1) : '0';
const LOAD_CORES = cores > 2 ? `0-${cores - 2}` : '0';
const hasTaskset = existsSync('/usr/bin/taskset');
const hasWrk = existsSync('/usr/bin/wrk');
const hasNginx = existsSync('/usr/sbin/nginx');

interface Contestant {
  name: string;
  /** Command to start the proxy (undefined for `direct`), listening on PROXY_PORT. */
  start?: () => ChildProcess;
  url: string;
}

function pinned(
  core: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): ChildProcess {
  const [cmd, argv] = hasTaskset ? ['taskset', ['-c', core, command, ...args]] : [command, args];
  return spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

const upstream = `http://127.0.0.1:${BACKEND_PORT}`;
const node = process.execPath;
/** The sidecar runs with the V8 flags its Dockerfile and `npm start` use. */
const SIDECAR_ARGV = ['--max-semi-space-size=4', path.join(root, 'dist/bundle/main.js')];
/**
 * As the image ships it: with V8's compiled form of the bundle, made the way the Dockerfile
 * makes it (`--check-config` with the same flags).
 */
function compileCache(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-compile-cache-'));
  execFileSync(node, [...SIDECAR_ARGV, '--check-config'], {
    env: { ...process.env, NODE_COMPILE_CACHE: dir, UPSTREAM_URL: upstream },
    stdio: 'ignore',
  });
  return dir;
}
const sidecarEnv = {
  NODE_COMPILE_CACHE: compileCache(),
  UPSTREAM_URL: upstream,
  PORT: String(PROXY_PORT),
  ADMIN_PORT: String(ADMIN_PORT),
  HOST: '127.0.0.1',
  ADMIN_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};

function nginxConfig(): string {
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

const dist = (p: string) => path.join(root, 'dist', p);
/** A peer from bench/peers/, given the backend and the port by environment like the sidecar. */
function peer(name: string): Contestant {
  return {
    name,
    url: `http://127.0.0.1:${PROXY_PORT}`,
    start: () =>
      pinned(PROXY_CORE, node, [dist(`bench/peers/${name}.js`)], {
        UPSTREAM_URL: upstream,
        PORT: String(PROXY_PORT),
      }),
  };
}
const contestants: Contestant[] = [
  { name: 'direct', url: upstream },
  {
    name: 'sidecar',
    url: `http://127.0.0.1:${PROXY_PORT}`,
    start: () =>
      pinned(PROXY_CORE, node, SIDECAR_ARGV, {
        ...sidecarEnv,
        SENTRY_DSN: `http://public@127.0.0.1:${SINK_PORT}/1`,
        SENTRY_TRACES_SAMPLE_RATE: '0.1',
      }),
  },
  {
    name: 'sidecar-minimal',
    url: `http://127.0.0.1:${PROXY_PORT}`,
    start: () => pinned(PROXY_CORE, node, SIDECAR_ARGV, sidecarEnv),
  },
  peer('bare-hpm'),
  peer('express-prom-bundle'),
  peer('plain-hpm'),
  peer('raw-node'),
];
if (hasNginx) {
  contestants.push({
    name: 'nginx',
    url: `http://127.0.0.1:${PROXY_PORT}`,
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
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const selected = only ? contestants.filter((c) => only.includes(c.name)) : contestants;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url: string, timeoutMs = 10_000): Promise<void> {
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

const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) of a process and all its threads, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** nginx serves from a worker process; measure that one. */
function measuredPid(child: ChildProcess, name: string): number {
  if (name !== 'nginx') return child.pid!;
  const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return Number(children[0] ?? child.pid);
}

interface Throughput {
  requests: number;
  rps: number;
}

function output(command: string, args: string[]): Promise<string> {
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

async function closedLoop(url: string, seconds: number): Promise<Throughput> {
  if (hasWrk) {
    const out = await output('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, url]);
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

interface RunResult {
  contestant: string;
  rep: number;
  cpuMicrosPerRequest: number;
  rps1k: number;
  rps100k: number;
  fixed: { p50: number; p99: number; errors: number };
  slow: { p50: number; p99: number };
  rssIdleMb: number;
  rssPeakMb: number;
}

async function measure(c: Contestant, rep: number, backendPid: number): Promise<RunResult> {
  const child = c.start?.();
  try {
    await waitFor(`${c.url}/json1k`);
    const pid = child ? measuredPid(child, c.name) : backendPid;
    await sleep(300);
    const idle = memory(pid);
    // warm-up: JIT, pools
    await closedLoop(`${c.url}/json1k`, 1);
    const cpu0 = cpuSeconds(pid);
    const t1k = await closedLoop(`${c.url}/json1k`, SECONDS);
    const cpu1 = cpuSeconds(pid);
    const t100k = await closedLoop(`${c.url}/json100k`, SECONDS);
    const fixed = await fixedRate(`${c.url}/api/users/42`, RATE, SECONDS);
    const slow = await fixedRate(`${c.url}/slow`, Math.min(RATE, 1000), SECONDS);
    const peak = memory(pid);
    return {
      contestant: c.name,
      rep,
      cpuMicrosPerRequest: ((cpu1 - cpu0) / t1k.requests) * 1e6,
      rps1k: t1k.rps,
      rps100k: t100k.rps,
      fixed: { p50: fixed.p50, p99: fixed.p99, errors: fixed.errors },
      slow: { p50: slow.p50, p99: slow.p99 },
      rssIdleMb: idle.rss,
      rssPeakMb: peak.peak,
    };
  } finally {
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await sleep(300);
  }
}

const SUITES = (process.env.BENCH_SUITES ?? 'contestants,ingest,scrape,sentry')
  .split(',')
  .map((s) => s.trim());

/** Starts the sidecar (pinned like the contestants) with extra environment and waits for it. */
async function withSidecar<T>(
  env: Record<string, string>,
  fn: (proxy: string, admin: string) => Promise<T>,
): Promise<T> {
  const child = pinned(PROXY_CORE, node, SIDECAR_ARGV, { ...sidecarEnv, ...env });
  const proxy = `http://127.0.0.1:${PROXY_PORT}`;
  const admin = `http://127.0.0.1:${ADMIN_PORT}`;
  try {
    await waitFor(`${proxy}/json1k`);
    await closedLoop(`${proxy}/json1k`, 1);
    return await fn(proxy, admin);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await sleep(300);
  }
}

const ms = (x: number) => x.toFixed(3);

/** What the benchmark's Sentry can be switched to (bench/sentry-sink.ts). */
type SinkMode = 'answers' | 'hangs' | 'refuses';
/** Longer than the transport's deadline (SENTRY_TRANSPORT_TIMEOUT_MS, 5 s): a hang times out within a phase. */
const OUTAGE_PHASE_SECONDS = Number(process.env.BENCH_OUTAGE_PHASE_SECONDS ?? 10);

/**
 * Sum of a counter family's samples in a Prometheus text exposition. (test/helpers has a full
 * parser, but the image builds bench/ without test/.)
 */
function familyTotal(text: string, family: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${family}{`) || line.startsWith(`${family} `)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/**
 * Proxied latency while Sentry is down. One warm sidecar (10% tracing) under a fixed load, half
 * on a 200 route and half on a route whose every response is a 503 that the sidecar captures,
 * while its Sentry answers, hangs, answers, refuses connections, and so on BENCH_REPS times,
 * answering last. The p99s of the answering phases are the noise an outage's p99 is read
 * against, measured in the same process, minutes apart. (Until run J each condition ran in a
 * fresh process, whose p99 depended as much on how warm it was as on Sentry.)
 */
async function sentryOutage() {
  const modes: SinkMode[] = [];
  for (let rep = 0; rep < REPS; rep++) modes.push('answers', 'hangs', 'answers', 'refuses');
  modes.push('answers');
  const sinkPort = SINK_PORT + 10;
  const control = `http://127.0.0.1:${SINK_PORT + 11}`;
  const sink = pinned(LOAD_CORES, node, [dist('bench/sentry-sink.js')], {
    SINK_PORT: String(sinkPort),
    SINK_CONTROL_PORT: String(SINK_PORT + 11),
  });
  const env = { SENTRY_DSN: `http://public@127.0.0.1:${sinkPort}/1`, SENTRY_TRACES_SAMPLE_RATE: '0.1' };
  try {
    await waitFor(`${control}/`);
    return await withSidecar(env, async (proxy, admin) => {
      const phaseMs = OUTAGE_PHASE_SECONDS * 1000;
      const seconds = modes.length * OUTAGE_PHASE_SECONDS;
      // Spans counted as dropped by the sidecar, read as each phase begins and after the last.
      const dropped: Promise<number>[] = [];
      const readDropped = () =>
        fetch(`${admin}/metrics`)
          .then((r) => r.text())
          .then((t) => familyTotal(t, 'sidecar_sentry_spans_dropped_total'));
      const timers: NodeJS.Timeout[] = [];
      const onStart = () => {
        modes.forEach((mode, i) => {
          timers.push(
            setTimeout(() => {
              dropped[i] = fetch(`${control}/${mode}`, { method: 'POST' }).then(readDropped);
              process.stderr.write(`sentry phase ${i + 1}/${modes.length}: ${mode}\n`);
            }, i * phaseMs),
          );
        });
      };
      // A phase of the same load first: a process fresh from start-up has a p99 of its own.
      const options = { warmupSeconds: OUTAGE_PHASE_SECONDS };
      const [ok, fail] = await Promise.all([
        fixedRateTimeline(`${proxy}/api/users/1`, RATE / 2, seconds, { ...options, onStart }),
        fixedRateTimeline(`${proxy}/fail`, RATE / 2, seconds, options),
      ]);
      for (const t of timers) clearTimeout(t);
      dropped[modes.length] = readDropped();
      const counts = await Promise.all(dropped);
      const phases = modes.map((mode, i) => ({
        mode,
        ok: ok.window(i * phaseMs, (i + 1) * phaseMs),
        fail: fail.window(i * phaseMs, (i + 1) * phaseMs),
        spansDropped: counts[i + 1]! - counts[i]!,
      }));
      const row = (mode: SinkMode) => {
        const ps = phases.filter((p) => p.mode === mode);
        const p99s = (key: 'ok' | 'fail') => ps.map((p) => ms(p[key].p99)).join(', ');
        const median99 = (key: 'ok' | 'fail') => ms(median(ps.map((p) => p[key].p99)));
        const median50 = ms(median(ps.map((p) => p.ok.p50)));
        const errors = ps.reduce((n, p) => n + p.ok.errors + p.fail.errors, 0);
        const spans = ps.reduce((n, p) => n + p.spansDropped, 0);
        return `| ${mode} | ${ps.length} | ${median50} | ${median99('ok')} (${p99s('ok')}) | ${median99('fail')} (${p99s('fail')}) | ${spans} | ${errors} |`;
      };
      const lines = [
        `Sentry outage: one sidecar, ${RATE}/s (half on a 200 route, half on a 503 route whose every response is captured), Sentry switched every ${OUTAGE_PHASE_SECONDS} s:`,
        '',
        '| Sentry | phases | 200 route p50, ms: median | 200 route p99, ms: median (each phase) | 503 route p99, ms: median (each phase) | spans counted dropped | request errors |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        row('answers'),
        row('hangs'),
        row('refuses'),
      ];
      return { phases, lines };
    });
  } finally {
    sink.kill();
  }
}

async function extraSuites(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const lines: string[] = [];
  if (SUITES.includes('ingest')) {
    const ingest = await withSidecar({}, (_p, admin) => ingestThroughput(admin, SECONDS));
    out.ingest = ingest;
    lines.push(
      `Ingest: ${ingest.eventsPerSecondBatched.toFixed(0)} events/s in batches of 100; ${ingest.singleEventRequestsPerSecond.toFixed(0)} single-event requests/s (8 connections).`,
    );
  }
  if (SUITES.includes('scrape')) {
    const scrape = await withSidecar({ MAX_ROUTES: '20000' }, async (proxy, admin) => {
      const small = await growSeries(proxy, admin, 1_000);
      const at1k = await scrapeTime(admin);
      await growSeries(proxy, admin, 10_000);
      const at10k = await scrapeTime(admin);
      const during = await latencyDuringScrapes(proxy, admin, RATE, SECONDS, 100);
      return { small, at1k, at10k, during };
    });
    out.scrape = scrape;
    lines.push(
      `/metrics: ${scrape.at1k.series} series in ${ms(scrape.at1k.medianMs)} ms (p99 ${ms(scrape.at1k.p99Ms)}); ${scrape.at10k.series} series in ${ms(scrape.at10k.medianMs)} ms (p99 ${ms(scrape.at10k.p99Ms)}, ${(scrape.at10k.bytes / 1024).toFixed(0)} KiB).`,
      `Proxied latency @${RATE}/s with ${scrape.at10k.series} series: quiet p50 ${ms(scrape.during.quiet.p50)} / p99 ${ms(scrape.during.quiet.p99)} ms; scraped every 100 ms p50 ${ms(scrape.during.busy.p50)} / p99 ${ms(scrape.during.busy.p99)} ms.`,
    );
  }
  if (SUITES.includes('sentry')) {
    const sentry = await sentryOutage();
    out.sentry = sentry.phases;
    lines.push('', ...sentry.lines);
  }
  if (lines.length) process.stdout.write(`\n${lines.join('\n')}\n`);
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

async function main(): Promise<void> {
  const backend = pinned(LOAD_CORES, node, [dist('bench/backend.js')], {
    BENCH_BACKEND_PORT: String(BACKEND_PORT),
  });
  const sink = pinned(LOAD_CORES, node, [dist('bench/sentry-sink.js')], { SINK_PORT: String(SINK_PORT) });
  try {
    await waitFor(`${upstream}/health`);
    const results: RunResult[] = [];
    for (let rep = 1; rep <= (SUITES.includes('contestants') ? REPS : 0); rep++) {
      // interleave: a different order each repetition, so drift hits every contestant alike
      const order = rep % 2 ? selected : [...selected].reverse();
      for (const c of order) {
        const r = await measure(c, rep, backend.pid!);
        results.push(r);
        process.stderr.write(
          `rep ${rep} ${c.name.padEnd(20)} cpu/req ${r.cpuMicrosPerRequest.toFixed(1)} µs  1k ${r.rps1k.toFixed(0)} rps  100k ${r.rps100k.toFixed(0)} rps  ` +
            `@${RATE}/s p50 ${r.fixed.p50.toFixed(3)} p99 ${r.fixed.p99.toFixed(3)} ms  rss ${r.rssIdleMb.toFixed(0)}/${r.rssPeakMb.toFixed(0)} MB\n`,
        );
      }
    }
    const direct = results.filter((r) => r.contestant === 'direct');
    const directP50 = direct.length ? median(direct.map((r) => r.fixed.p50)) : 0;
    const directP99 = direct.length ? median(direct.map((r) => r.fixed.p99)) : 0;
    const directSlowP50 = direct.length ? median(direct.map((r) => r.slow.p50)) : 0;
    const rows = selected.map((c) => {
      const rs = results.filter((r) => r.contestant === c.name);
      const col = (f: (r: RunResult) => number) => rs.map(f);
      return {
        contestant: c.name,
        cpu: median(col((r) => r.cpuMicrosPerRequest)),
        cpuSpread: spread(col((r) => r.cpuMicrosPerRequest)),
        rps1k: median(col((r) => r.rps1k)),
        rps100k: median(col((r) => r.rps100k)),
        addedP50: median(col((r) => r.fixed.p50)) - directP50,
        addedP99: median(col((r) => r.fixed.p99)) - directP99,
        addedSlowP50: median(col((r) => r.slow.p50)) - directSlowP50,
        rssIdle: median(col((r) => r.rssIdleMb)),
        rssPeak: Math.max(...col((r) => r.rssPeakMb)),
      };
    });
    const lines = !SUITES.includes('contestants')
      ? []
      : [
          `| contestant | proxy CPU per 1 KB request (µs, median, range) | req/s 1 KB | req/s 100 KB | added p50 @${RATE}/s (ms) | added p99 @${RATE}/s (ms) | added p50, 10 ms route (ms) | RSS idle / peak (MB) |`,
          '| --- | --- | --- | --- | --- | --- | --- | --- |',
          ...rows.map(
            (r) =>
              `| ${r.contestant} | ${r.contestant === 'direct' ? '—' : `${r.cpu.toFixed(1)} (${r.cpuSpread})`} | ${r.rps1k.toFixed(0)} | ${r.rps100k.toFixed(0)} | ${r.addedP50.toFixed(3)} | ${r.addedP99.toFixed(3)} | ${r.addedSlowP50.toFixed(3)} | ${r.contestant === 'direct' ? '—' : `${r.rssIdle.toFixed(0)} / ${r.rssPeak.toFixed(0)}`} |`,
          ),
        ];
    const machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${cores}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${os.release()}, Node ${process.version}`;
    process.stdout.write(
      `\nMachine: ${machine}\nLoad: ${hasWrk ? 'wrk' : 'autocannon'} closed loop, ${CONNECTIONS} connections, ${SECONDS} s; fixed rate ${RATE}/s open loop; ${REPS} repetitions interleaved; proxy pinned to core ${PROXY_CORE}, backend, wrk and Sentry sink on core(s) ${LOAD_CORES}, fixed-rate generator unpinned\n\n${lines.join('\n')}\n`,
    );
    const extra = await extraSuites();
    if (process.env.BENCH_OUT)
      writeFileSync(process.env.BENCH_OUT, JSON.stringify({ machine, results, rows, extra }, null, 2));
  } finally {
    backend.kill();
    sink.kill();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
