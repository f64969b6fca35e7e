import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { type Contestant, dist, node, selected, upstream, withSidecar } from './contestants.js';
import { fixedRate, median, ms } from './fixed-rate.js';
import {
  BACKEND_PORT,
  CONNECTIONS,
  closedLoop,
  cores,
  cpuSeconds,
  hasWrk,
  LOAD_CORES,
  measuredPid,
  memory,
  NEW_IDS_PATH,
  PROXY_CORE,
  pinned,
  RATE,
  REPS,
  SECONDS,
  SINK_PORT,
  sleep,
  waitFor,
} from './machine.js';
import { otlpIngest } from './otlp-ingest.js';
import { sentryOutage } from './sentry-outage.js';
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
 * otlp,scrape,sentry`, all by default), BENCH_OUTAGE_PHASE_SECONDS (10: each phase of the Sentry
 * suite), BENCH_OUT (JSON results path), BENCH_BASELINE (another built checkout of the sidecar,
 * measured beside this one: bench/contestants.ts).
 */

interface RunResult {
  contestant: string;
  rep: number;
  cpuMicrosPerRequest: number;
  /** The same, when every request names a new record of a templated route. */
  cpuMicrosNewIds: number;
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
    await c.ready?.();
    const pid = child ? measuredPid(child, c.name) : backendPid;
    await sleep(300);
    const idle = memory(pid);
    // warm-up: JIT, pools
    await closedLoop(`${c.url}/json1k`, 1);
    const cpu0 = cpuSeconds(pid);
    const t1k = await closedLoop(`${c.url}/json1k`, SECONDS);
    const cpu1 = cpuSeconds(pid);
    const tIds = await closedLoop(`${c.url}${NEW_IDS_PATH}`, SECONDS, true);
    const cpu2 = cpuSeconds(pid);
    const t100k = await closedLoop(`${c.url}/json100k`, SECONDS);
    const fixed = await fixedRate(`${c.url}/api/users/42`, RATE, SECONDS);
    const slow = await fixedRate(`${c.url}/slow`, Math.min(RATE, 1000), SECONDS);
    const peak = memory(pid);
    return {
      contestant: c.name,
      rep,
      cpuMicrosPerRequest: ((cpu1 - cpu0) / t1k.requests) * 1e6,
      cpuMicrosNewIds: ((cpu2 - cpu1) / tIds.requests) * 1e6,
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

const SUITES = (process.env.BENCH_SUITES ?? 'contestants,ingest,otlp,scrape,sentry')
  .split(',')
  .map((s) => s.trim());

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
  if (SUITES.includes('otlp')) {
    const otlp = await withSidecar({}, (proxy, admin) => otlpIngest(proxy, admin, RATE, SECONDS, REPS));
    out.otlp = otlp;
    const { quiet, busy } = otlp.latency;
    lines.push(
      `OTLP metrics in: ${otlp.pointsPerSecond.protobuf.toFixed(0)} data points/s in protobuf batches of 1,000 (${(otlp.batchBytes.protobuf / 1024).toFixed(0)} KiB), ${otlp.pointsPerSecond.json.toFixed(0)}/s in JSON (${(otlp.batchBytes.json / 1024).toFixed(0)} KiB), 2 connections.`,
      `Proxied latency @${RATE}/s, medians of ${REPS} alternating windows: quiet p50 ${ms(quiet.p50)} / p99 ${ms(quiet.p99)} ms (p99s ${quiet.windows.map((w) => ms(w.p99)).join(', ')}); with 10,000 OTLP points/s pushed p50 ${ms(busy.p50)} / p99 ${ms(busy.p99)} ms (p99s ${busy.windows.map((w) => ms(w.p99)).join(', ')}; ${otlp.latency.pushedBatches} batches, ${otlp.latency.failedBatches} failed).`,
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

const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

type Row = Record<
  | 'cpu'
  | 'cpuNewIds'
  | 'rps1k'
  | 'rps100k'
  | 'addedP50'
  | 'addedP99'
  | 'addedSlowP50'
  | 'rssIdle'
  | 'rssPeak',
  number
> &
  Record<'contestant' | 'cpuSpread' | 'cpuNewIdsSpread', string>;

function table(rows: Row[]): string[] {
  const cpu = (r: Row, value: number, range: string) =>
    r.contestant === 'direct' ? '—' : `${value.toFixed(1)} (${range})`;
  return [
    `| contestant | proxy CPU per 1 KB request (µs, median, range) | the same, a new record each (µs) | req/s 1 KB | req/s 100 KB | added p50 @${RATE}/s (ms) | added p99 @${RATE}/s (ms) | added p50, 10 ms route (ms) | RSS idle / peak (MB) |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.contestant} | ${cpu(r, r.cpu, r.cpuSpread)} | ${cpu(r, r.cpuNewIds, r.cpuNewIdsSpread)} | ${r.rps1k.toFixed(0)} | ${r.rps100k.toFixed(0)} | ${r.addedP50.toFixed(3)} | ${r.addedP99.toFixed(3)} | ${r.addedSlowP50.toFixed(3)} | ${r.contestant === 'direct' ? '—' : `${r.rssIdle.toFixed(0)} / ${r.rssPeak.toFixed(0)}`} |`,
    ),
  ];
}

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
          `rep ${rep} ${c.name.padEnd(28)} cpu/req ${r.cpuMicrosPerRequest.toFixed(1)} µs, new ids ${r.cpuMicrosNewIds.toFixed(1)} µs  1k ${r.rps1k.toFixed(0)} rps  100k ${r.rps100k.toFixed(0)} rps  ` +
            `@${RATE}/s p50 ${r.fixed.p50.toFixed(3)} p99 ${r.fixed.p99.toFixed(3)} ms  rss ${r.rssIdleMb.toFixed(0)}/${r.rssPeakMb.toFixed(0)} MB\n`,
        );
      }
    }
    const direct = results.filter((r) => r.contestant === 'direct');
    const directP50 = direct.length ? median(direct.map((r) => r.fixed.p50)) : 0;
    const directP99 = direct.length ? median(direct.map((r) => r.fixed.p99)) : 0;
    const directSlowP50 = direct.length ? median(direct.map((r) => r.slow.p50)) : 0;
    const rows = selected.map((c): Row => {
      const rs = results.filter((r) => r.contestant === c.name);
      const col = (f: (r: RunResult) => number) => rs.map(f);
      return {
        contestant: c.name,
        cpu: median(col((r) => r.cpuMicrosPerRequest)),
        cpuSpread: spread(col((r) => r.cpuMicrosPerRequest)),
        cpuNewIds: median(col((r) => r.cpuMicrosNewIds)),
        cpuNewIdsSpread: spread(col((r) => r.cpuMicrosNewIds)),
        rps1k: median(col((r) => r.rps1k)),
        rps100k: median(col((r) => r.rps100k)),
        addedP50: median(col((r) => r.fixed.p50)) - directP50,
        addedP99: median(col((r) => r.fixed.p99)) - directP99,
        addedSlowP50: median(col((r) => r.slow.p50)) - directSlowP50,
        rssIdle: median(col((r) => r.rssIdleMb)),
        rssPeak: Math.max(...col((r) => r.rssPeakMb)),
      };
    });
    const lines = SUITES.includes('contestants') ? table(rows) : [];
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
